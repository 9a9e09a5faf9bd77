import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { LABELS } from '../core/labels.js';
import { REVIEW_PAGE_DIR } from '../node/paths.js';
import { hostAllowed, isLoopbackHost, urlHost } from './access.js';
import { appendVerdict, ensureLineStart, loadReviewSet, ReviewError } from './store.js';
import { verdictInputSchema, type ReviewItem, type Role, type VerdictEvent, type VerdictInput } from './types.js';
import { combineReviews, itemStateFor, reduceVerdicts, type Disagreement } from './verdicts.js';

/**
 * The review page's server: node:http on a loopback address (127.0.0.1 by default; another
 * address only with `allowRemote`), a random port unless one is given, and a random token that
 * every request must carry (`?token=` for the page and its assets, the `X-Review-Token` header
 * for the API). A request whose Host names anything but a loopback name or address (or, served
 * remotely, an IP literal or an `allowHosts` name) is refused: DNS rebinding (src/review/access.ts).
 * A request that changes state (anything but GET/HEAD) and carries an `Origin` is refused unless
 * that origin is the server's own (`http://<its Host>`): a page elsewhere that got hold of the
 * token still cannot post verdicts from the reviewer's browser.
 * Verdicts are appended and fsynced before the page is told they are saved.
 *
 * Several reviewers can share one server: the page sends its reviewer's name (from `?reviewer=`
 * in its URL) in `X-Reviewer`, else the server's `reviewer` is used. With `adjudicate` every
 * verdict is recorded as the adjudicator's.
 */

/** Static page assets: plain files in `review-page/` at the package root. */
export const PAGE_DIR = pathToFileURL(`${REVIEW_PAGE_DIR}/`);
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export const TOKEN_HEADER = 'x-review-token';
export const REVIEWER_HEADER = 'x-reviewer';
const MAX_BODY = 64 * 1024;
const REVIEWER = /^[\p{L}\p{N} ._@-]{1,64}$/u;

/** No inline script or style, no eval, nothing from elsewhere; the page may only talk to us. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The token is in the page URL: never send it on as a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface ReviewServerOptions {
  readonly setDir: string;
  /** The reviewer recorded when the page names none. */
  readonly reviewer: string;
  /** 0 or absent: a random free port. */
  readonly port?: number;
  /** Address to listen on (default 127.0.0.1); not a loopback address only with `allowRemote` (E150). */
  readonly host?: string;
  readonly allowRemote?: boolean;
  /** DNS names the page may be reached by when served remotely (`--allow-host`). */
  readonly allowHosts?: readonly string[];
  /** Record every verdict as an adjudication (`review serve --adjudicate`). */
  readonly adjudicate?: boolean;
}

export interface ReviewServer {
  readonly url: string;
  readonly token: string;
  readonly server: Server;
  close(): Promise<void>;
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The page's reviewer (URI-encoded in `X-Reviewer`), the default when it names none, or null if undecodable. */
function reviewerOf(header: string | string[] | undefined, fallback: string): string | null {
  if (typeof header !== 'string' || header === '') return fallback;
  try {
    return decodeURIComponent(header);
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown): void =>
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startReviewServer(opts: ReviewServerOptions): Promise<ReviewServer> {
  if (!REVIEWER.test(opts.reviewer)) throw new ReviewError('E099', 'reviewer names are 1-64 letters, digits, spaces or ._@-');
  const host = opts.host ?? '127.0.0.1';
  const remote = !isLoopbackHost(host);
  if (remote && !opts.allowRemote) {
    throw new ReviewError('E150', `--host ${host} is not a loopback address: the page shows note text, so serving it to other machines needs --allow-remote (the token is still required)`);
  }
  const allowHosts = (opts.allowHosts ?? []).map((h) => h.toLowerCase());
  for (const name of allowHosts) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) throw new ReviewError('E152', `--allow-host ${name} is not a DNS name`);
  }
  const hostPolicy = { remote, names: allowHosts };
  const role: Role = opts.adjudicate ? 'adjudicator' : 'reviewer';
  const set = await loadReviewSet(opts.setDir);
  await ensureLineStart(set.dir);
  const state = reduceVerdicts(set.events);
  const items = set.items;
  const indexOf = new Map(items.map((it, i) => [it.id, i] as const));
  const token = randomBytes(24).toString('base64url');
  const pages = new Map<string, Buffer>();
  for (const [route, asset] of Object.entries(ASSETS)) {
    let body = await readFile(new URL(asset.file, PAGE_DIR));
    if (asset.file === 'index.html') body = Buffer.from(body.toString('utf8').replaceAll('__TOKEN__', token));
    pages.set(route, body);
  }
  let writes: Promise<void> = Promise.resolve();

  const progress = (reviewer: string): { done: number; total: number } => ({
    done: items.filter((it) => itemStateFor(state, reviewer, it.id, role).done).length,
    total: items.length,
  });

  /**
   * The disagreements a person may see on a note: all of them for an adjudicator; for a reviewer
   * only once they have finished the note themselves, so the others' verdicts cannot sway theirs.
   */
  const visibleDisagreements = (reviewer: string, item: ReviewItem): readonly Disagreement[] => {
    if (role === 'reviewer' && !itemStateFor(state, reviewer, item.id).done) return [];
    return combineReviews([item], state)[0]?.disagreements ?? [];
  };

  const validate = (v: VerdictInput): string | null => {
    const i = indexOf.get(v.item);
    if (i === undefined) return 'unknown item';
    const item = items[i]!;
    if (v.kind === 'span') {
      if (v.span >= item.spans.length) return 'unknown span';
      if (v.verdict === 'relabel' && !v.label) return 'relabel needs a label';
    }
    if (v.kind === 'miss' && (v.start >= v.end || v.end > item.text.length)) return 'miss outside the note';
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding: a page elsewhere that resolves its name to our address still sends its own Host.
    const host = req.headers.host ?? '';
    if (!hostAllowed(host, hostPolicy)) return send(res, 403, 'forbidden\n');
    // CSRF: browsers send Origin with every cross-origin request and every POST; "null" (a
    // sandboxed frame, a file: page) is foreign too. Tools without an Origin (curl) still need the token.
    const origin = req.headers.origin;
    if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && origin !== `http://${host}`) return send(res, 403, 'forbidden\n');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const page = pages.get(url.pathname);
    if (page) {
      if (req.method !== 'GET' || !sameToken(url.searchParams.get('token'), token)) return send(res, 403, 'forbidden\n');
      return send(res, 200, page, ASSETS[url.pathname]!.type);
    }
    if (!url.pathname.startsWith('/api/') || !sameToken(req.headers[TOKEN_HEADER] as string | undefined, token)) {
      return send(res, 403, 'forbidden\n');
    }
    const reviewer = reviewerOf(req.headers[REVIEWER_HEADER], opts.reviewer);
    if (reviewer === null || !REVIEWER.test(reviewer)) return sendJson(res, 400, { error: 'reviewer names are 1-64 letters, digits, spaces or ._@-' });
    if (req.method === 'GET' && url.pathname === '/api/state') {
      const listed = items.map((it) => ({
        id: it.id,
        spans: it.spans.length,
        done: itemStateFor(state, reviewer, it.id, role).done,
        disagreements: visibleDisagreements(reviewer, it).filter((d) => !d.resolved).length,
      }));
      // An adjudicator starts at the first open disagreement; a reviewer at the first unfinished note.
      const firstOpen = listed.findIndex((it) => (role === 'adjudicator' ? it.disagreements > 0 && !it.done : !it.done));
      return sendJson(res, 200, {
        reviewer,
        role,
        labels: LABELS,
        items: listed,
        resume: firstOpen === -1 ? (role === 'adjudicator' ? 0 : Math.max(0, items.length - 1)) : firstOpen,
        progress: progress(reviewer),
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/item') {
      const i = Number(url.searchParams.get('i'));
      const item = Number.isInteger(i) ? items[i] : undefined;
      if (!item) return sendJson(res, 404, { error: 'no such item' });
      return sendJson(res, 200, {
        index: i,
        ...item,
        state: itemStateFor(state, reviewer, item.id, role),
        disagreements: visibleDisagreements(reviewer, item),
        progress: progress(reviewer),
      });
    }
    if (req.method === 'POST' && url.pathname === '/api/verdict') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, { error: 'JSON only' });
      const body = await readBody(req);
      if (body === null) return sendJson(res, 413, { error: 'too large' });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return sendJson(res, 400, { error: 'not JSON' });
      }
      const input = verdictInputSchema.safeParse(parsed);
      if (!input.success) return sendJson(res, 400, { error: 'not a verdict' });
      const problem = validate(input.data);
      if (problem) return sendJson(res, 400, { error: problem });
      const event = { ...input.data, reviewer, ts: new Date().toISOString(), ...(role === 'adjudicator' ? { role } : {}) } as VerdictEvent;
      const write = writes.then(() => appendVerdict(set.dir, event));
      writes = write.catch(() => undefined);
      await write;
      reduceVerdicts([event], state);
      const item = items[indexOf.get(event.item)!]!;
      return sendJson(res, 200, {
        state: itemStateFor(state, reviewer, event.item, role),
        disagreements: visibleDisagreements(reviewer, item),
        progress: progress(reviewer),
      });
    }
    return send(res, 404, 'not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // PHI-free: the error may quote a request body; say only that saving failed.
      if (!res.headersSent) sendJson(res, 500, { error: 'could not save' });
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ReviewError('E151', `cannot listen on ${urlHost(host, opts.port ?? 0)} (${err.code ?? 'error'}${err.code === 'EADDRINUSE' ? ': the port is taken, choose another --port' : ''})`)),
    );
    server.listen(opts.port ?? 0, host, () => resolvePromise());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(address, port)}/?token=${token}`,
    token,
    server,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
