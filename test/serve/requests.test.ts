import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, parseConfig } from '../../src/core/config.js';
import { openApiDocument } from '../../src/serve/openapi.js';
import { configKey, mergeDeep, parseNoteRequest, requestConfig } from '../../src/serve/requests.js';
import { bearerChecker, loadServeToken, TOKEN_ENV } from '../../src/serve/token.js';
import { rulesServer } from './helpers.js';

describe('parseNoteRequest', () => {
  it.each([
    [{ text: 'a' }, false, 1],
    [{ text: '', id: 'x', patientId: 'p1' }, false, 1],
    [{ text: 'a', config: { policy: { DEFAULT: 'mask' } } }, false, 1],
    [{ notes: [{ text: 'a' }, { text: 'b', id: 'b' }] }, true, 2],
    [{ notes: [{ text: 'a' }], config: { detectors: ['rules'] } }, true, 1],
  ])('accepts %j', (body, batch, n) => {
    const r = parseNoteRequest(body, 10);
    expect(r.batch).toBe(batch);
    expect(r.notes.length).toBe(n);
  });

  it.each([
    [null, 'E132'],
    ['a note', 'E132'],
    [[{ text: 'a' }], 'E132'],
    [{}, 'E132'],
    [{ text: 1 }, 'E132'],
    [{ text: 'a', notes: [{ text: 'b' }] }, 'E132'],
    [{ notes: [] }, 'E132'],
    [{ notes: [{ text: 'a', extra: 1 }] }, 'E132'],
    [{ text: 'a', patientId: '' }, 'E132'],
    [{ text: 'a', id: 'x'.repeat(257) }, 'E132'],
    [{ text: 'a', config: { detectors: ['regex'] } }, 'E132'],
    [{ text: 'a', config: { serve: {} } }, 'E133'],
    [{ text: 'a', config: { rules: { packs: ['/etc'] } } }, 'E133'],
    [{ text: 'a', config: { dictionaries: { cues: '/etc' } } }, 'E133'],
    [{ text: 'a', config: { ner: { threads: 64 } } }, 'E133'],
    [{ text: 'a', config: { consistency: { memory: 10 } } }, 'E133'],
    [{ notes: Array.from({ length: 11 }, () => ({ text: 'a' })) }, 'E132'],
  ])('refuses %j', (body, code) => {
    expect(() => parseNoteRequest(body, 10)).toThrow(new RegExp(`^${code} `));
  });

  it('an unknown key is never repeated (it could be anything); the nearest known one is suggested', () => {
    expect(() => parseNoteRequest({ text: 'a', config: { polcy: {} } }, 10)).toThrow(/unknown field at config \(did you mean "policy"\?\)/);
    expect(() => parseNoteRequest({ text: 'a', idd: 'x' }, 10)).toThrow(/^E132 request body: unknown field at \(root\) \(did you mean "id"\?\)/);
    expect(() => parseNoteRequest({ text: 'a', 'Mr Someone': 1 }, 10)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('Someone') }));
  });
});

const plain = fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__'), fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })), { maxKeys: 3 });
const nested = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(plain, fc.integer()), { maxKeys: 3 });

describe('mergeDeep', () => {
  it('keeps every key of the override, keeps base keys it does not name, and changes neither input', () => {
    fc.assert(
      fc.property(nested, nested, (base, over) => {
        const before = JSON.stringify([base, over]);
        const merged = mergeDeep(base, over) as Record<string, unknown>;
        expect(JSON.stringify([base, over])).toBe(before);
        for (const k of Object.keys(base)) if (!Object.hasOwn(over, k)) expect(merged[k]).toEqual(base[k]);
        for (const [k, v] of Object.entries(over)) {
          const b = base[k];
          if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null && !Array.isArray(b)) {
            expect(merged[k]).toEqual(mergeDeep(b, v));
          } else {
            expect(merged[k]).toEqual(v);
          }
        }
        expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
      }),
    );
  });

  it('merging nothing, or merging twice, changes nothing more', () => {
    fc.assert(
      fc.property(nested, nested, (base, over) => {
        expect(mergeDeep(base, {})).toEqual(base);
        const once = mergeDeep(base, over);
        expect(mergeDeep(once, over)).toEqual(once);
      }),
    );
  });
});

describe('requestConfig', () => {
  const server = parseConfig({ detectors: ['rules'], policy: { DEFAULT: 'tag', DATE: 'mask' }, serve: { maxBatch: 5 } });

  it('merges the request over the server config: named fields replaced, the rest kept', () => {
    const c = requestConfig(server, { policy: { DEFAULT: 'mask' }, ner: { threshold: 0.5 } });
    expect(c.policy).toEqual({ DEFAULT: 'mask', DATE: 'mask' });
    expect(c.ner.threshold).toBe(0.5);
    expect(c.detectors).toEqual(['rules']);
    expect(c.serve.maxBatch).toBe(5);
  });

  it('the run memory is always off; equal configs have one key, other configs another', () => {
    expect(requestConfig(server, undefined).consistency.run).toBe(false);
    expect(requestConfig(server, { consistency: { note: false } }).consistency.run).toBe(false);
    expect(configKey(requestConfig(server, { policy: { DEFAULT: 'tag' } }))).toBe(configKey(requestConfig(server, undefined)));
    expect(configKey(requestConfig(server, { policy: { DEFAULT: 'mask' } }))).not.toBe(configKey(requestConfig(server, undefined)));
    // Service settings and budgets do not change output: one pipeline for them all.
    expect(configKey({ ...server, serve: { ...server.serve, maxBatch: 9 }, limits: { ...server.limits, noteSeconds: 1 } })).toBe(configKey(server));
  });

  it('a merged config that fails the schema is E010', () => {
    expect(() => requestConfig(CONFIG_DEFAULTS, { surrogate: { dateShift: { minDays: 5, maxDays: 1 } } })).toThrow(/^E010 request config/);
  });
});

describe('bearer token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phi-serve-token-'));
  const file = (name: string, text: string, mode = 0o600): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    chmodSync(p, mode);
    return p;
  };

  it('from a file (one trailing newline dropped) or the environment, the file first', () => {
    const token = 'file-token-0123456789abcdef';
    expect(loadServeToken({ tokenFile: file('t1', `${token}\n`), env: { [TOKEN_ENV]: 'env-token-0123456789abcdef' } }).toString()).toBe(token);
    expect(loadServeToken({ env: { [TOKEN_ENV]: 'env-token-0123456789abcdef' } }).toString()).toBe('env-token-0123456789abcdef');
  });

  it.each([
    ['none given', () => ({ env: {} }), /no bearer token/],
    ['an empty variable', () => ({ env: { [TOKEN_ENV]: '' } }), /no bearer token/],
    ['too short', () => ({ env: { [TOKEN_ENV]: 'short' } }), /at least 16 bytes/],
    ['a short file', () => ({ tokenFile: file('t2', 'short\n'), env: {} }), /at least 16 bytes/],
    ['readable by others', () => ({ tokenFile: file('t3', 'file-token-0123456789abcdef', 0o644), env: {} }), /readable by group or others/],
    ['missing', () => ({ tokenFile: join(dir, 'missing'), env: {} }), /cannot be read \(ENOENT\)/],
    ['a folder', () => ({ tokenFile: dir, env: {} }), /not a regular file/],
  ])('refused: %s (E130, the token never printed)', (_name, make, reason) => {
    let message = '';
    try {
      loadServeToken(make());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^E130 /);
    expect(message).toMatch(reason);
    expect(message).not.toContain('0123456789abcdef');
  });

  it('the checker takes exactly "Bearer <token>"', () => {
    const check = bearerChecker(Buffer.from('right-token-0123456789'));
    expect(check('Bearer right-token-0123456789')).toBe(true);
    expect(check('bearer right-token-0123456789')).toBe(true);
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'right-token-0123456789', 'Basic right-token-0123456789', 'Bearer right-token-012345678', 'Bearer right-token-01234567890', 'Bearer right-token-0123456789 x']) {
      expect(check(h), String(h)).toBe(false);
    }
  });
});

describe('openapi.json', () => {
  it('lists exactly the routes the server has, and is served (with the token)', async () => {
    const routes: string[] = [];
    const s = rulesServer();
    await s.ready;
    // printRoutes lists what the router really holds.
    for (const line of s.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /([/\w.-]+) \(([A-Z, ]+)\)/.exec(line);
      if (m) for (const method of m[2]!.split(', ')) routes.push(`${method} ${m[1]!.replace(/^[└├│─ ]+/, '')}`);
    }
    const doc = openApiDocument('0.0.0') as { openapi: string; paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.sort()).toEqual(documented.sort());
    expect(doc.openapi).toMatch(/^3\.1\./);
    const served = await s.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer test-token-0123456789abcdef' } });
    expect(served.statusCode).toBe(200);
    expect(Object.keys((served.json() as typeof doc).paths).sort()).toEqual(Object.keys(doc.paths).sort());
    await s.close();
  });
});
