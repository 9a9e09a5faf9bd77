import { describe, expect, it } from 'vitest';
import { AUTH, gatedLoader, NOTE, rulesServer } from './helpers.js';

// A real socket on an ephemeral loopback port: what inject cannot show (listening, closing with a request in flight).

const json = (body: unknown) => ({ method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('listening', () => {
  it('serves over HTTP on 127.0.0.1; redacts with the real rules pipeline', async () => {
    const s = rulesServer({ serve: { port: 0 } });
    const address = await s.listen();
    try {
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await s.ready;
      const r = await fetch(`${address}/v1/redact`, json({ text: NOTE }));
      expect(r.status).toBe(200);
      expect(((await r.json()) as { text: string }).text).toBe('Seen [DATE] by Dr. Quellmar; call [CONTACT]. MRN: [ID].');
      expect((await fetch(`${address}/v1/redact`, { ...json({ text: NOTE }), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('close() lets a request in flight finish (200), refuses new ones, then stops listening', async () => {
    const g = gatedLoader();
    const s = rulesServer({ serve: { port: 0 } }, { loader: g.loader });
    const address = await s.listen();
    await s.ready;
    const inFlight = fetch(`${address}/v1/redact`, json({ text: 'abcdef', id: 'held' }));
    await g.started;
    const closing = s.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false); // waiting for the request in hand
    const late = await fetch(`${address}/readyz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    g.release();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: 'held', text: '[NAME]ef' });
    await closing;
    expect(g.disposed.length).toBe(1);
    await expect(fetch(`${address}/healthz`)).rejects.toThrow();
  });

  it('an address already in use: E131 naming host and port', async () => {
    const a = rulesServer({ serve: { port: 0 } });
    const address = await a.listen();
    const port = Number(new URL(address).port);
    const b = rulesServer({ serve: { port } });
    try {
      await expect(b.listen()).rejects.toThrow(`E131 cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
