import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, startReviewServer, type ReviewServer } from '../../src/review/server.js';
import { writeReviewSet } from '../../src/review/store.js';
import { writeRun } from './fixtures.js';

let dir: string;
let server: ReviewServer;
let port: number;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP so tests control every header, Host included. */
function call(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const api = (path: string, body?: object, headers: Record<string, string> = {}) =>
  call(path, {
    method: body ? 'POST' : 'GET',
    headers: { 'x-review-token': server.token, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phi-review-server-'));
  const { run } = writeRun(dir, [
    { name: 'one.txt', text: 'Met Ms. Orla Brisk on 02/03/2022.', spans: [{ find: 'Orla Brisk', label: 'NAME' }, { find: '02/03/2022', label: 'DATE' }] },
    { name: 'two.txt', text: 'Nothing to see.', spans: [] },
  ]);
  await writeReviewSet({ run, out: join(dir, 'set'), n: 2, seed: 1, stratify: 'none' });
  server = await startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester' });
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('review server access', () => {
  it('listens on 127.0.0.1 only, on a random port, with a long random token', () => {
    const addr = server.server.address() as AddressInfo;
    expect(addr.address).toBe('127.0.0.1');
    expect(addr.family).toBe('IPv4');
    expect(addr.port).toBeGreaterThan(0);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(server.url).toBe(`http://127.0.0.1:${addr.port}/?token=${server.token}`);
  });

  it('is not reachable through the machine\'s other addresses', async (ctx) => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && !a.address.startsWith('fe80:')) // link-local v6 needs a scope id
      .map((a) => a!.address);
    if (others.length === 0) ctx.skip(); // no non-loopback interface on this machine
    for (const host of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host, port });
        socket.setTimeout(2000, () => {
          socket.destroy();
          resolve('timeout');
        });
        socket.on('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(outcome, host).not.toBe('connected');
    }
  });

  it.each([
    ['/', {}],
    ['/?token=wrong', {}],
    [`/?token=${'x'.repeat(32)}`, {}],
    ['/app.js', {}],
    ['/style.css?token=nope', {}],
    ['/api/state', {}],
    ['/api/state', { 'x-review-token': 'nope' }],
    ['/api/item?i=0', {}],
    ['/favicon.ico', {}],
  ])('refuses %s without the token (403)', async (path, headers) => {
    const r = await call(path, { headers });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('Orla');
  });

  it('refuses the API when the token only comes in the query (header required)', async () => {
    expect((await call(`/api/state?token=${server.token}`)).status).toBe(403);
  });

  it.each([['http://evil.example'], ['null'], ['http://127.0.0.1:1'], ['https://127.0.0.1:PORT'], ['http://localhost:PORT']])(
    'refuses a state-changing request from another Origin (%s) even with the token; nothing is saved',
    async (origin) => {
      const before = readFileSync(join(dir, 'set', 'verdicts.jsonl'), 'utf8');
      const state = JSON.parse((await api('/api/state')).body);
      const r = await api('/api/verdict', { kind: 'done', item: state.items[1].id }, { origin: origin.replace('PORT', String(port)) });
      expect(r.status).toBe(403);
      expect(readFileSync(join(dir, 'set', 'verdicts.jsonl'), 'utf8')).toBe(before);
    },
  );

  it("accepts the server's own Origin (the host the page was loaded from), and no Origin (token only)", async () => {
    // An unknown item: past the Origin check (400, not 403), and nothing is written.
    expect((await api('/api/verdict', { kind: 'done', item: 'nope' }, { origin: `http://127.0.0.1:${port}` })).status).toBe(400);
    expect((await api('/api/verdict', { kind: 'done', item: 'nope' }, { origin: `http://localhost:${port}`, host: `localhost:${port}` })).status).toBe(400);
    expect((await api('/api/verdict', { kind: 'done', item: 'nope' })).status).toBe(400);
    // GETs are not refused for an Origin (they change nothing; the token still guards them).
    expect((await api('/api/state', undefined, { origin: 'http://evil.example' })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const r = await call(`/?token=${server.token}`, { headers: { host: `evil.example:${port}` } });
    expect(r.status).toBe(403);
  });

  it('serves the page with the token, under a strict CSP', async () => {
    const r = await call(`/?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(CSP);
    expect(CSP).toContain("default-src 'self'");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(r.body).not.toMatch(/\sstyle=|<style/); // no inline style
    expect(r.body).not.toMatch(/https?:\/\//); // no CDN
    const js = await call(`/app.js?token=${server.token}`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });
});

describe('review server API', () => {
  it('saves a verdict with an fsynced append and resumes at the first unfinished note', async () => {
    const state = JSON.parse((await api('/api/state')).body);
    expect(state.reviewer).toBe('tester');
    expect(state.items).toHaveLength(2);
    expect(state.resume).toBe(0);
    const first = state.items[0].id as string;
    const item = JSON.parse((await api('/api/item?i=0')).body);
    expect(item.id).toBe(first);

    const spans = item.spans.length as number;
    for (let k = 0; k < spans; k++) expect((await api('/api/verdict', { kind: 'span', item: first, span: k, verdict: 'confirm' })).status).toBe(200);
    const done = await api('/api/verdict', { kind: 'done', item: first });
    expect(JSON.parse(done.body).progress).toEqual({ done: 1, total: 2 });
    expect(JSON.parse((await api('/api/state')).body).resume).toBe(1);

    const log = readFileSync(join(dir, 'set', 'verdicts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(spans + 1);
    expect(log.every((e) => e.reviewer === 'tester' && typeof e.ts === 'string')).toBe(true);
    // A restarted server reads the same state back.
    const again = await startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester' });
    try {
      const res = await fetch(new URL('/api/state', again.url), { headers: { 'x-review-token': again.token } });
      expect(((await res.json()) as { resume: number }).resume).toBe(1);
      expect(again.token).not.toBe(server.token);
    } finally {
      await again.close();
    }
  });

  it.each([
    [{ kind: 'span', item: 'nope.txt', span: 0, verdict: 'confirm' }, 400],
    [{ kind: 'span', item: '?', span: 99, verdict: 'confirm' }, 400],
    [{ kind: 'span', item: '?', span: 0, verdict: 'relabel' }, 400],
    [{ kind: 'span', item: '?', span: 0, verdict: 'maybe' }, 400],
    [{ kind: 'miss', item: '?', miss: 'm1', start: 5, end: 5, label: 'NAME' }, 400],
    [{ kind: 'miss', item: '?', miss: 'm1', start: 0, end: 9999, label: 'NAME' }, 400],
    [{ kind: 'miss', item: '?', miss: '../x', start: 0, end: 2, label: 'NAME' }, 400],
    [{ kind: 'miss', item: '?', miss: 'm1', start: 0, end: 2, label: 'WEIRD' }, 400],
    [{ kind: 'delete-everything' }, 400],
  ])('rejects the bad verdict %j', async (v, status) => {
    const state = JSON.parse((await api('/api/state')).body);
    const body = JSON.parse(JSON.stringify(v).replaceAll('"?"', JSON.stringify(state.items[0].id)));
    const before = readFileSync(join(dir, 'set', 'verdicts.jsonl'), 'utf8');
    expect((await api('/api/verdict', body)).status).toBe(status);
    expect(readFileSync(join(dir, 'set', 'verdicts.jsonl'), 'utf8')).toBe(before);
  });

  it('rejects non-JSON posts and oversized bodies', async () => {
    const form = await call('/api/verdict', { method: 'POST', headers: { 'x-review-token': server.token, 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    const big = await api('/api/verdict', { kind: 'comment', item: 'x', text: 'a'.repeat(70_000) });
    expect(big.status).toBe(413);
  });

  it('refuses reviewer names that could smuggle markup', async () => {
    await expect(startReviewServer({ setDir: join(dir, 'set'), reviewer: '<img src=x>' })).rejects.toThrow(/E099/);
  });
});
