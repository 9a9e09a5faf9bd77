import { describe, expect, it } from 'vitest';
import { AuditCollector, canonicalJson, countSpans, formatSummary, runFingerprints } from '../../../src/node/runs/audit.js';
import type { Span } from '../../../src/core/span.js';

const span = (start: number, end: number, label: Span['label'], source: string, sources?: string[]): Span => ({ start, end, label, source, score: 1, ...(sources ? { sources } : {}) });

describe('countSpans', () => {
  it('counts merged spans by label and by every contributing detector, raw spans by detector', () => {
    const merged = [span(0, 4, 'NAME', 'ner/phi-ner', ['ner/phi-ner', 'rules/names']), span(10, 14, 'DATE', 'rules/dates')];
    const raw = [span(0, 4, 'NAME', 'ner/phi-ner'), span(0, 3, 'NAME', 'rules/names'), span(10, 14, 'DATE', 'rules/dates'), span(20, 22, 'AGE', 'rules/ages')];
    expect(countSpans(merged, raw)).toEqual({
      labels: { NAME: 1, DATE: 1 },
      kept: { 'ner/phi-ner': 1, 'rules/names': 1, 'rules/dates': 1 },
      detections: { 'ner/phi-ner': 1, 'rules/names': 1, 'rules/dates': 1, 'rules/ages': 1 },
    });
  });
});

describe('fingerprints', () => {
  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 2 } })).toBe(canonicalJson({ a: { c: 2, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  });

  it('canonical JSON, the config and rules fingerprints are byte for byte those earlier versions wrote; the combined one now covers every detector', () => {
    const config = { policy: { NAME: 'mask', DEFAULT: 'tag' }, detectors: ['rules', 'ner'], ner: { threshold: 0.3, modelDir: 'models/é', threads: undefined } };
    expect(canonicalJson(config)).toBe('{"detectors":["rules","ner"],"ner":{"modelDir":"models/é","threshold":0.3},"policy":{"DEFAULT":"tag","NAME":"mask"}}');
    expect(runFingerprints({ config: config as never, fingerprints: () => ({ 'rules/b': 'h2', 'rules/a': 'h1', 'ner/m': 'm1' }), keyFingerprint: () => 'k1' })).toEqual({
      config: '60e6c26485b49c90fd121c2ac0212f1375e36a7fe0406d3ce9635f34091485ee',
      rules: '65662d8f1cf2c1979ce403d537ba6a08ebfc84717b9660902805521183e2e603',
      model: 'm1',
      detectors: '5a526c4e3f1d2dc8c06dcd01ecac7041efd1d92a62231a27dc8f202bc07ebf99',
      key: 'k1',
      // Was 8e45a18a... when it hashed only config, rules, model and key: runs of earlier versions are redone once by --resume.
      combined: '09eaa3e950695295874d7832ad3bb85ae9ce4dc12a6f1ea6ec1b084dfd28a822',
    });
  });

  it('canonical JSON refuses circular values', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow();
  });

  it.each<[string, Record<string, string>, string]>([
    ['rules only', { 'rules/a': 'h1' }, 'none'],
    ['rules and model', { 'rules/a': 'h1', 'ner/phi-ner': 'sha256:abc' }, 'sha256:abc'],
  ])('%s', (_name, byDetector, model) => {
    const fp = runFingerprints({ config: { x: 1 } as never, fingerprints: () => byDetector, keyFingerprint: () => 'k123' });
    expect(fp.model).toBe(model);
    expect(fp.rules).toBe('h1');
    expect(fp.key).toBe('k123');
    expect(fp.combined).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the combined fingerprint changes with the config, the rules, the model and the key', () => {
    const base = { config: { x: 1 } as never, fingerprints: () => ({ 'rules/a': 'h1', 'ner/m': 'm1' }), keyFingerprint: () => 'k1' };
    const combined = runFingerprints(base).combined;
    expect(runFingerprints({ ...base, config: { x: 2 } as never }).combined).not.toBe(combined);
    expect(runFingerprints({ ...base, fingerprints: () => ({ 'rules/a': 'h2', 'ner/m': 'm1' }) }).combined).not.toBe(combined);
    expect(runFingerprints({ ...base, fingerprints: () => ({ 'rules/a': 'h1', 'ner/m': 'm2' }) }).combined).not.toBe(combined);
    expect(runFingerprints({ ...base, keyFingerprint: () => 'k2' }).combined).not.toBe(combined);
    expect(runFingerprints(base).combined).toBe(combined);
  });

  it('any detector counts, whatever its id prefix: a word-list or cue-file change invalidates --resume', () => {
    const base = { config: { x: 1 } as never, fingerprints: () => ({ 'rules/a': 'h1', 'dict/names-places': 'w1', 'dict/safe-terms': 'w1' }), keyFingerprint: () => 'k1' };
    const fp = runFingerprints(base);
    const edited = runFingerprints({ ...base, fingerprints: () => ({ 'rules/a': 'h1', 'dict/names-places': 'w2', 'dict/safe-terms': 'w2' }) });
    expect(edited.rules).toBe(fp.rules);
    expect(edited.detectors).not.toBe(fp.detectors);
    expect(edited.combined).not.toBe(fp.combined);
    // A detector added or removed counts too.
    expect(runFingerprints({ ...base, fingerprints: () => ({ 'rules/a': 'h1' }) }).combined).not.toBe(fp.combined);
  });
});

describe('AuditCollector', () => {
  it('adds up notes, spans and error codes (codes only: the rest of an error line is dropped)', () => {
    const a = new AuditCollector('folder', { config: 'c', rules: 'r', model: 'none', detectors: 'd', key: 'none', combined: 'x' }, ['rules/a']);
    a.noteDone({ labels: { NAME: 2 }, detections: { 'rules/a': 3 }, kept: { 'rules/a': 2 } }, 100);
    a.noteDone({ labels: { NAME: 1, DATE: 1 }, detections: { 'rules/a': 2 }, kept: { 'rules/a': 2 } }, 50);
    a.noteFailed('E043 invalid UTF-8 at byte 12');
    a.noteMalformed('E050 line 3 is not valid JSON');
    a.noteSkipped();
    const r = a.report();
    expect(r.notes).toEqual({ total: 5, done: 2, failed: 1, skipped: 1, malformed: 1 });
    expect(r.errors).toEqual({ E043: 1, E050: 1 });
    expect(r.spans).toEqual({ total: 4, byLabel: { DATE: 1, NAME: 3 }, byDetector: { 'rules/a': { detections: 5, kept: 4 } } });
    expect(r.timings.inputBytes).toBe(150);
    expect(r.tool.name).toBe('phi-redact');
    expect(formatSummary(r)).toMatch(/^phi-redact: 2 done, 1 failed, 1 skipped \(already done\), 1 malformed skipped in \d+\.\ds /);
  });
});
