import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asCodedError, codeOf, ConfigError, describeError, ERROR_CODES, InputError, PhiRedactError } from '../../src/core/errors.js';
import { EvalInputError } from '../../src/eval/errors.js';
import { RulePackError } from '../../src/detect/rules/pack.js';
import { ReviewError } from '../../src/review/store.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('the error table', () => {
  it('holds every code the source throws, and every code in it is thrown somewhere', () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      if (file.endsWith(join('core', 'errors.ts'))) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/\bE\d{3}\b/g)) used.add(m[0]);
    }
    const table = Object.keys(ERROR_CODES);
    expect([...used].filter((c) => !table.includes(c)).sort()).toEqual([]);
    expect(table.filter((c) => !used.has(c))).toEqual([]);
  });

  it.each([
    [new ConfigError('E031', 'model config x cannot be read'), 'ConfigError', 2],
    [new InputError('E043', 'invalid UTF-8 at byte 7'), 'InputError', 1],
    [new RulePackError('E020', 'p.yaml: invalid regex'), 'RulePackError', 2],
    [new EvalInputError('E074', 'gold.jsonl:3', 'span out of range'), 'EvalInputError', 2],
    [new ReviewError('E096', 'out is not empty'), 'ReviewError', 2],
  ])('%s: one base class, the code first, the exit status from the table', (err, name, exit) => {
    expect(err).toBeInstanceOf(PhiRedactError);
    expect(err.name).toBe(name);
    expect(err.message.startsWith(`${err.code} `)).toBe(true);
    expect(err.exitCode).toBe(exit);
    expect(asCodedError(err)).toBe(err);
  });

  it('recognises a coded message from a worker thread (a plain Error), first line only', () => {
    const coded = asCodedError(new Error('E030 NER model not available at /m\nstack line'));
    expect(coded?.code).toBe('E030');
    expect(coded?.message).toBe('E030 NER model not available at /m');
    expect(asCodedError(new Error('E999 not ours'))).toBeUndefined();
    expect(codeOf('E0461 no')).toBeUndefined();
    expect(codeOf('E046')).toBe('E046');
  });

  it('describeError never repeats the message of an error that is not ours (it may quote a note)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (message) => {
        fc.pre(codeOf(message) === undefined && !/^[A-Za-z]*Error/.test(message));
        const text = describeError(new TypeError(message));
        expect(text).toBe('TypeError');
      }),
    );
  });
});
