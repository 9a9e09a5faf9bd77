import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
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

/** A local TCP forwarder, as `ssh -L <its port>:127.0.0.1:<server port>` would be. */
function tunnel(to: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const sockets = new Set<import('node:net').Socket>();
    const relay = createNetServer((inbound) => {
      const outbound = connect({ host: '127.0.0.1', port: to });
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    relay.listen(0, '127.0.0.1', () =>
      resolve({
        port: (relay.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            relay.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      }),
    );
  });
}

/** GET through any host/port, with the Host header the browser would send there. */
function getVia(host: string, viaPort: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: viaPort, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('review server for teams: --port, --host, tunnels', () => {
  it('answers through a tunnel from another local port (Host: localhost:<tunnel port>), and still refuses a foreign name there', async () => {
    const t = await tunnel(port);
    try {
      expect(t.port).not.toBe(port);
      expect(await getVia('127.0.0.1', t.port, `/?token=${server.token}`, { host: `localhost:${t.port}` })).toBe(200);
      expect(await getVia('127.0.0.1', t.port, `/?token=${server.token}`, { host: `[::1]:${t.port}` })).toBe(200);
      expect(await getVia('127.0.0.1', t.port, `/?token=${server.token}`)).toBe(200);
      expect(await getVia('127.0.0.1', t.port, `/?token=${server.token}`, { host: `evil.example:${t.port}` })).toBe(403);
      expect(await getVia('127.0.0.1', t.port, '/')).toBe(403);
      // A verdict from the page as opened through the tunnel (its origin names the tunnel's port) passes the checks (400: unknown item).
      const r = await call('/api/verdict', {
        method: 'POST',
        headers: { 'x-review-token': server.token, 'content-type': 'application/json', host: `localhost:${t.port}`, origin: `http://localhost:${t.port}` },
        body: JSON.stringify({ kind: 'done', item: 'nope' }),
      });
      expect(r.status).toBe(400);
    } finally {
      await t.close();
    }
  });

  it('listens on the --port it is given; a taken port is E151', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const fixed = await startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester', port: free });
    try {
      expect(fixed.url).toBe(`http://127.0.0.1:${free}/?token=${fixed.token}`);
      await expect(startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester', port: free })).rejects.toThrow(
        new RegExp(`^E151 cannot listen on 127\\.0\\.0\\.1:${free} \\(EADDRINUSE: the port is taken`),
      );
    } finally {
      await fixed.close();
    }
  });

  it('serves on the IPv6 loopback with --host ::1 (skipped where the machine has no IPv6 loopback)', async (ctx) => {
    let v6: ReviewServer;
    try {
      v6 = await startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester', host: '::1' });
    } catch (err) {
      if (/E151/.test(String(err))) return ctx.skip();
      throw err;
    }
    try {
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+\/\?token=/);
      expect((await fetch(v6.url)).status).toBe(200);
    } finally {
      await v6.close();
    }
  });

  it.each([
    [{ host: '0.0.0.0' }, /^E150 --host 0\.0\.0\.0 is not a loopback address: .*--allow-remote/],
    [{ host: '10.20.30.40' }, /^E150 /],
    [{ host: '0.0.0.0', allowRemote: true, allowHosts: ['bad_name!'] }, /^E152 --allow-host bad_name! is not a DNS name/],
    [{ host: '203.0.113.9', allowRemote: true }, /^E151 cannot listen on 203\.0\.113\.9:0 \(EADDRNOTAVAIL/],
  ])('refuses %j', async (extra, message) => {
    await expect(startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester', ...extra })).rejects.toThrow(message);
  });

  it('with --allow-remote listens on every address but still wants the token, and refuses unknown names', async () => {
    const open = await startReviewServer({ setDir: join(dir, 'set'), reviewer: 'tester', host: '0.0.0.0', allowRemote: true, allowHosts: ['review.ward7.internal'] });
    const p = (open.server.address() as AddressInfo).port;
    try {
      expect((open.server.address() as AddressInfo).address).toBe('0.0.0.0');
      expect(await getVia('127.0.0.1', p, '/')).toBe(403);
      expect(await getVia('127.0.0.1', p, `/?token=${open.token}`, { host: `192.0.2.10:${p}` })).toBe(200);
      expect(await getVia('127.0.0.1', p, `/?token=${open.token}`, { host: `review.ward7.internal:${p}` })).toBe(200);
      expect(await getVia('127.0.0.1', p, `/?token=${open.token}`, { host: `evil.example:${p}` })).toBe(403);
      expect(await getVia('127.0.0.1', p, '/api/state', { host: `192.0.2.10:${p}` })).toBe(403);
    } finally {
      await open.close();
    }
  });
});

describe('several reviewers on one server', () => {
  it('keeps each reviewer\'s verdicts apart (X-Reviewer), shows disagreements only to those who finished the note, and records adjudications', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'phi-review-team-'));
    const { run } = writeRun(fresh, [
      { name: 'n.txt', text: 'Met Mr. Tobin Ashgrove on 05/06/2021.', spans: [{ find: 'Tobin Ashgrove', label: 'NAME' }, { find: '05/06/2021', label: 'DATE' }] },
    ]);
    const setDir = join(fresh, 'set');
    await writeReviewSet({ run, out: setDir, n: 1, seed: 1, stratify: 'none' });
    const team = await startReviewServer({ setDir, reviewer: 'lead' });
    const as = async (who: string | undefined, path: string, body?: object): Promise<{ status: number; json: Record<string, unknown> & { state?: { spans: unknown }; disagreements?: unknown } }> => {
      const res = await fetch(new URL(path, team.url), {
        method: body ? 'POST' : 'GET',
        headers: { 'x-review-token': team.token, ...(who ? { 'x-reviewer': encodeURIComponent(who) } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : {} };
    };
    try {
      const item = 'n.txt';
      await as('Ana Ruiz', '/api/verdict', { kind: 'span', item, span: 0, verdict: 'confirm' });
      await as('Ana Ruiz', '/api/verdict', { kind: 'span', item, span: 1, verdict: 'confirm' });
      await as('Ana Ruiz', '/api/verdict', { kind: 'done', item });
      await as('bo', '/api/verdict', { kind: 'span', item, span: 0, verdict: 'confirm' });
      const boBefore = await as('bo', '/api/item?i=0');
      expect(boBefore.json.state?.spans).toEqual({ 0: { verdict: 'confirm' } });
      expect(boBefore.json.disagreements).toEqual([]); // bo has not finished: no peeking at Ana's verdicts
      await as('bo', '/api/verdict', { kind: 'span', item, span: 1, verdict: 'reject' });
      const boDone = await as('bo', '/api/verdict', { kind: 'done', item });
      expect(boDone.json.disagreements).toEqual([
        { kind: 'span', span: 1, start: 26, end: 36, detected: 'DATE', verdicts: [{ reviewer: 'Ana Ruiz', verdict: 'confirm' }, { reviewer: 'bo', verdict: 'reject' }], resolved: false },
      ]);
      // Each reviewer's own state and progress; the default name when the page names none.
      expect((await as('Ana Ruiz', '/api/state')).json).toMatchObject({ reviewer: 'Ana Ruiz', role: 'reviewer', progress: { done: 1, total: 1 } });
      expect((await as(undefined, '/api/state')).json).toMatchObject({ reviewer: 'lead', progress: { done: 0, total: 1 }, items: [{ disagreements: 0 }] });
      expect((await as('<b>', '/api/state')).status).toBe(400);
      expect((await as('%E0%A4%A', '/api/state')).status).toBe(400);

      const adj = await startReviewServer({ setDir, reviewer: 'Cy', adjudicate: true });
      try {
        const get = await fetch(new URL('/api/state', adj.url), { headers: { 'x-review-token': adj.token } });
        expect(await get.json()).toMatchObject({ reviewer: 'Cy', role: 'adjudicator', resume: 0, items: [{ disagreements: 1, done: false }] });
        const post = (v: object) =>
          fetch(new URL('/api/verdict', adj.url), { method: 'POST', headers: { 'x-review-token': adj.token, 'content-type': 'application/json' }, body: JSON.stringify(v) });
        await post({ kind: 'span', item, span: 1, verdict: 'reject' });
        const done = (await (await post({ kind: 'done', item })).json()) as { disagreements: { resolved: boolean }[] };
        expect(done.disagreements.map((d) => d.resolved)).toEqual([true]);
      } finally {
        await adj.close();
      }
      const log = readFileSync(join(setDir, 'verdicts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.map((e) => `${e.reviewer}${e.role ? `/${e.role}` : ''}`)).toEqual(['Ana Ruiz', 'Ana Ruiz', 'Ana Ruiz', 'bo', 'bo', 'bo', 'Cy/adjudicator', 'Cy/adjudicator']);
    } finally {
      await team.close();
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
