import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createServer, isLoopback, type PhiServer } from '../../src/serve/server.js';
import { AUTH, config, gatedLoader, NOTE, NOTE_PHI, rulesServer, TOKEN } from './helpers.js';

// Fastify's inject: every route, auth, limits and error path without a socket (listen.test.ts has the socket).

const open: PhiServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
function track<T extends PhiServer>(s: T): T {
  open.push(s);
  return s;
}

const post = (s: PhiServer, url: string, payload: unknown, headers: Record<string, string> = AUTH) =>
  s.app.inject({ method: 'POST', url, headers, payload: payload as object });

describe('auth', () => {
  it.each([
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
    ['token as a prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['token plus more', { authorization: `Bearer ${TOKEN}x` }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
    ['empty bearer', { authorization: 'Bearer ' }],
  ])('%s: 401 E134 on every non-health route', async (_name, headers) => {
    const s = track(rulesServer());
    await s.ready;
    for (const [method, url] of [['POST', '/v1/redact'], ['POST', '/v1/analyze'], ['GET', '/openapi.json'], ['GET', '/nowhere']] as const) {
      const r = await s.app.inject({ method, url, headers, payload: method === 'POST' ? { text: NOTE } : undefined });
      expect(r.statusCode, url).toBe(401);
      expect(r.json()).toEqual({ code: 'E134', message: expect.any(String) });
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('the right token passes (any case of "bearer"); health routes need none', async () => {
    const s = track(rulesServer());
    await s.ready;
    expect((await post(s, '/v1/redact', { text: NOTE }, { authorization: `bearer ${TOKEN}` })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('redact and analyze', () => {
  it('one note: redacted text, spans with input and output offsets, no span text', async () => {
    const s = track(rulesServer());
    await s.ready;
    const r = await post(s, '/v1/redact', { text: NOTE, id: 'n1' });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { id: string; text: string; spans: { start: number; end: number; outStart: number; outEnd: number; text?: string }[] };
    expect(body.id).toBe('n1');
    for (const phi of NOTE_PHI) expect(r.body).not.toContain(phi);
    expect(body.text).toBe('Seen [DATE] by Dr. Quellmar; call [CONTACT]. MRN: [ID].');
    expect(body.spans.map((sp) => NOTE.slice(sp.start, sp.end))).toEqual(NOTE_PHI);
    expect(body.spans.map((sp) => body.text.slice(sp.outStart, sp.outEnd))).toEqual(['[DATE]', '[CONTACT]', '[ID]']);
    expect(body.spans.every((sp) => sp.text === undefined)).toBe(true);
  });

  it('a batch keeps request order and ids; analyze returns spans only', async () => {
    const s = track(rulesServer());
    await s.ready;
    const notes = [{ text: 'call 410-555-0143', id: 'a' }, { text: 'nothing here' }, { text: NOTE, id: 'c' }];
    const r = await post(s, '/v1/redact', { notes });
    expect(r.statusCode).toBe(200);
    const out = (r.json() as { notes: { id?: string; text: string }[] }).notes;
    expect(out.map((n) => n.id)).toEqual(['a', undefined, 'c']);
    expect(out.map((n) => n.text)).toEqual(['call [CONTACT]', 'nothing here', 'Seen [DATE] by Dr. Quellmar; call [CONTACT]. MRN: [ID].']);
    const a = await post(s, '/v1/analyze', { notes });
    const analyzed = (a.json() as { notes: { spans: { start: number; end: number }[]; text?: string }[] }).notes;
    expect(analyzed.every((n) => n.text === undefined)).toBe(true);
    expect(analyzed.map((n) => n.spans.length)).toEqual([1, 0, 3]);
    expect(a.body).not.toContain('410-555-0143');
  });

  it('serve.spanText (operator only) adds each span\'s original text', async () => {
    const s = track(rulesServer({ serve: { spanText: true } }));
    await s.ready;
    const r = await post(s, '/v1/analyze', { text: NOTE });
    expect((r.json() as { spans: { text: string }[] }).spans.map((sp) => sp.text)).toEqual(NOTE_PHI);
  });

  it('a request config is merged over the server\'s: policy, detectors; the server\'s own fields stay', async () => {
    const s = track(rulesServer({ policy: { DEFAULT: 'tag', CONTACT: 'keep' } }));
    await s.ready;
    const tagged = (await post(s, '/v1/redact', { text: NOTE })).json() as { text: string };
    expect(tagged.text).toBe('Seen [DATE] by Dr. Quellmar; call 410-555-0143. MRN: [ID].');
    const masked = (await post(s, '/v1/redact', { text: NOTE, config: { policy: { DEFAULT: 'mask' } } })).json() as { text: string };
    expect(masked.text).toBe('Seen ********** by Dr. Quellmar; call 410-555-0143. MRN: ********.');
  });

  it('surrogates with the server\'s key: the same patient gets the same surrogates in every request, never the original', async () => {
    const s = track(rulesServer({}, { key: Buffer.from('server-key-0123456789abcdef') }));
    await s.ready;
    const ask = async (patientId: string) =>
      ((await post(s, '/v1/redact', { text: NOTE, patientId, config: { policy: { DEFAULT: 'surrogate' } } })).json() as { text: string }).text;
    const first = await ask('p1');
    for (const phi of NOTE_PHI) expect(first).not.toContain(phi);
    expect(await ask('p1')).toBe(first);
    expect(await ask('p2')).not.toBe(first);
  });

  it('pipelines for other configs are cached by fingerprint, at most serve.pipelines, shared by equal configs', async () => {
    const g = gatedLoader({ ms: 1 });
    const s = track(rulesServer({ serve: { pipelines: 1 } }, { loader: g.loader }));
    await s.ready;
    const mask = { policy: { DEFAULT: 'mask' } };
    await Promise.all([post(s, '/v1/redact', { text: 'abcdef', config: mask }), post(s, '/v1/redact', { text: 'abcdef', config: mask })]);
    expect(g.loads.length).toBe(2); // the server's, and one for mask
    await post(s, '/v1/redact', { text: 'abcdef', config: { policy: { DEFAULT: 'keep' } } });
    expect(g.loads.length).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(g.disposed.map((c) => c.policy.DEFAULT)).toEqual(['mask']); // least recently used, dropped
    await post(s, '/v1/redact', { text: 'abcdef' });
    expect(g.loads.length).toBe(3); // the server's own config: its pipeline
  });

  it('the run memory is off: one client\'s notes never change another\'s output', async () => {
    const g = gatedLoader({ ms: 1 });
    const s = track(rulesServer({}, { loader: g.loader }));
    await s.ready;
    await post(s, '/v1/redact', { text: 'abcdef', config: { consistency: { note: false } } });
    expect(g.loads.map((c) => c.consistency.run)).toEqual([false, false]);
  });
});

describe('errors: coded JSON bodies that never quote the note', () => {
  // Each body below holds this invented name; no error body or log line may.
  const SECRET = 'Yrsa Vandermolen';
  const cases: [string, () => { url?: string; payload: string | object; headers?: Record<string, string> }, number, string][] = [
    ['not JSON', () => ({ payload: `{"text": "${SECRET}`, headers: { ...AUTH, 'content-type': 'application/json' } }), 400, 'E132'],
    ['a JSON array', () => ({ payload: [SECRET] }), 400, 'E132'],
    ['text not a string', () => ({ payload: { text: [SECRET] } }), 400, 'E132'],
    ['an unknown field', () => ({ payload: { text: SECRET, [SECRET]: 1 } }), 400, 'E132'],
    ['an unknown config key', () => ({ payload: { text: SECRET, config: { polcy: { DEFAULT: 'mask' } } } }), 400, 'E132'],
    ['a bad operator', () => ({ payload: { text: SECRET, config: { policy: { DEFAULT: SECRET } } } }), 400, 'E132'],
    ['a __proto__ key', () => ({ payload: `{"text": "${SECRET}", "__proto__": {"x": 1}}`, headers: { ...AUTH, 'content-type': 'application/json' } }), 400, 'E132'],
    ['not application/json', () => ({ payload: SECRET, headers: { ...AUTH, 'content-type': 'text/plain' } }), 415, 'E132'],
    ['an empty batch', () => ({ payload: { notes: [] } }), 400, 'E132'],
    ['a server-only path', () => ({ payload: { text: SECRET, config: { ner: { modelDir: `/tmp/${SECRET}` } } } }), 400, 'E133'],
    ['server-only limits', () => ({ payload: { text: SECRET, config: { limits: { noteSeconds: 0 } } } }), 400, 'E133'],
    ['the run memory', () => ({ payload: { text: SECRET, config: { consistency: { run: true } } } }), 400, 'E133'],
    ['no detectors', () => ({ payload: { text: SECRET, config: { detectors: [] } } }), 400, 'E132'],
    ['surrogates without a server key', () => ({ payload: { text: SECRET, config: { policy: { DEFAULT: 'surrogate' } } } }), 400, 'E113'],
    ['too large', () => ({ payload: { text: `${SECRET} `.repeat(200) } }), 413, 'E135'],
    ['too many notes', () => ({ payload: { notes: Array.from({ length: 4 }, () => ({ text: SECRET })) } }), 400, 'E132'],
    ['no such route', () => ({ url: `/v1/${encodeURIComponent(SECRET)}?q=${encodeURIComponent(SECRET)}`, payload: { text: SECRET } }), 404, 'E138'],
  ];

  it.each(cases)('%s', async (_name, make, status, code) => {
    const s = track(rulesServer({ serve: { maxBodyBytes: 1024, maxBatch: 3 } }));
    await s.ready;
    const { url = '/v1/redact', payload, headers = AUTH } = make();
    const r = await s.app.inject({ method: 'POST', url, headers, payload });
    expect(r.statusCode).toBe(status);
    expect(r.json()).toEqual({ code, message: expect.any(String) });
    for (const part of [SECRET, 'Yrsa', 'Vandermolen']) {
      expect(r.body).not.toContain(part);
      expect(s.log()).not.toContain(part);
    }
    expect(JSON.parse(s.log().trim().split('\n').at(-1)!)).toMatchObject({ method: 'POST', status, code });
  });

  it('a detector that throws (its message quoting the note) fails that note alone with E046, without its text', async () => {
    const g = gatedLoader({ ms: 1, throwOn: SECRET });
    const s = track(rulesServer({}, { loader: g.loader }));
    await s.ready;
    const one = await post(s, '/v1/redact', { text: `pt ${SECRET}` });
    expect(one.statusCode).toBe(500);
    expect(one.json()).toEqual({ code: 'E046', message: 'note: detection failed (Error)' });
    const batch = await post(s, '/v1/redact', { notes: [{ text: 'abcdef', id: 'ok' }, { text: `pt ${SECRET}`, id: 'bad' }] });
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toEqual({
      notes: [
        { id: 'ok', text: '[NAME]ef', spans: [expect.objectContaining({ label: 'NAME' })] },
        { id: 'bad', error: { code: 'E046', message: 'note 1: detection failed (Error)' } },
      ],
    });
    expect(`${one.body}${batch.body}${s.log()}`).not.toContain('Vandermolen');
  });

  it('a note past serve.noteSeconds fails with E137 (422), the others of its batch are answered', async () => {
    const g = gatedLoader();
    const s = track(rulesServer({ serve: { noteSeconds: 0.05 } }, { loader: g.loader }));
    await s.ready;
    const r = await post(s, '/v1/analyze', { text: `pt ${SECRET}` });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toEqual({ code: 'E137', message: 'note ran past serve.noteSeconds (0.05 s)' });
    g.release();
    const quick = await post(s, '/v1/analyze', { notes: [{ text: 'abcdef' }] });
    expect(quick.statusCode).toBe(200);
  });

  it('the access log has one line per request: method, route pattern, status, time, code; no body, no header, no query', async () => {
    const s = track(rulesServer());
    await s.ready;
    await post(s, '/v1/redact', { text: NOTE });
    await s.app.inject({ method: 'GET', url: '/healthz?who=Vandermolen' });
    await post(s, '/v1/redact', { text: NOTE }, { authorization: 'Bearer Vandermolen-0123456789' });
    const lines = s.log().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.method, l.route, l.status, l.code])).toEqual([
      ['POST', '/v1/redact', 200, undefined],
      ['GET', '/healthz', 200, undefined],
      ['POST', '/v1/redact', 401, 'E134'],
    ]);
    expect(lines.every((l) => Object.keys(l).every((k) => ['time', 'method', 'route', 'status', 'ms', 'code'].includes(k)))).toBe(true);
    for (const phi of [...NOTE_PHI, 'Vandermolen', TOKEN]) expect(s.log()).not.toContain(phi);
  });
});

describe('readiness and limits', () => {
  it('/readyz is 503 while the pipeline loads (pipeline routes too, E136), 200 once loaded', async () => {
    let loaded!: () => void;
    const g = gatedLoader({ ms: 1, loadGate: new Promise<void>((r) => (loaded = r)) });
    const s = track(rulesServer({}, { loader: g.loader }));
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const before = await s.app.inject({ method: 'GET', url: '/readyz' });
    expect([before.statusCode, before.json(), before.headers['retry-after']]).toEqual([503, { status: 'loading' }, '1']);
    const early = await post(s, '/v1/redact', { text: NOTE });
    expect([early.statusCode, (early.json() as { code: string }).code, early.headers['retry-after']]).toEqual([503, 'E136', '1']);
    loaded();
    await s.ready;
    const after = await s.app.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ status: 'ready', detectors: [] });
  });

  it('a pipeline that cannot load (a model whose checksum fails) is never ready; `ready` rejects with its code', async () => {
    const s = track(
      createServer({
        config: config(),
        baseDir: process.cwd(),
        token: Buffer.from(TOKEN),
        loader: async () => {
          throw new ConfigError('E033', 'NER model file m.onnx does not match the sha256 in config.json');
        },
      }),
    );
    await expect(s.ready).rejects.toThrow(/^E033 /);
    expect((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
  });

  it('more than serve.maxInFlight requests: 503 E136 with Retry-After; health stays open; after they finish, accepted again', async () => {
    const g = gatedLoader();
    const s = track(rulesServer({ serve: { maxInFlight: 2 } }, { loader: g.loader }));
    await s.ready;
    const held = [post(s, '/v1/redact', { text: 'abcdef' }), post(s, '/v1/analyze', { text: 'abcdef' })];
    await g.started;
    const refused = await post(s, '/v1/redact', { text: 'abcdef' });
    expect([refused.statusCode, (refused.json() as { code: string }).code, refused.headers['retry-after']]).toEqual([503, 'E136', '1']);
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    g.release();
    expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([200, 200]);
    expect((await post(s, '/v1/redact', { text: 'abcdef' })).statusCode).toBe(200);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['example.org', false],
    ['128.0.0.1', false],
  ])('host %s is loopback: %s; a non-loopback host needs allowRemote (E131)', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
    const make = (allowRemote: boolean) => () =>
      createServer({ config: config({ serve: { host } }), baseDir: process.cwd(), token: Buffer.from(TOKEN), allowRemote, loader: gatedLoader().loader });
    if (loopback) {
      expect(make(false)).not.toThrow();
    } else {
      expect(make(false)).toThrow(/^E131 /);
      expect(make(true)).not.toThrow();
    }
  });
});

describe('known identifiers (issue 16)', () => {
  it("a note's known values are redacted and never echoed; a bad field is E132 without its values; site lists are the server's", async () => {
    const s = track(rulesServer());
    await s.ready;
    const text = 'Ysolde Parrin resting, MRN 441-0023.';
    const r = await post(s, '/v1/redact', { text, known: { names: ['Parrin, Ysolde'], mrn: 4410023 } });
    expect(r.statusCode).toBe(200);
    expect((r.json() as { text: string }).text).toBe('[NAME] resting, MRN [ID].');
    for (const v of ['Ysolde', 'Parrin', '4410023']) expect(r.body).not.toContain(v);
    const bad = await post(s, '/v1/redact', { notes: [{ text }, { text, known: { nickname: 'Ysolde' } }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'E132', message: 'request body: note 1 known has an unknown key (not repeated: it could be PHI)' });
    expect(bad.body).not.toContain('Ysolde');
    const site = await post(s, '/v1/redact', { text, config: { site: { roster: ['/etc/passwd'] } } });
    expect(site.json()).toMatchObject({ code: 'E133' });
    expect(s.log()).not.toContain('Ysolde');
  });
});
