import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuleDetectors, fingerprintRulePacks, parseRulePack, RulePackError } from '../../../src/detect/rules/index.js';
import { bundledRulesDir, loadRulePacks } from '../../../src/node/assets/rulePacks.js';

const dir = bundledRulesDir();
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('bundled rule packs', () => {
  it('the bundled folder holds the expected packs', () => {
    expect(files.sort()).toEqual(['ages.yaml', 'contact.yaml', 'dates.yaml', 'ids.yaml', 'locations.yaml']);
  });

  it.each(files)('%s parses, documents every rule and compiles', (file) => {
    const p = parseRulePack(readFileSync(join(dir, file), 'utf8'), `rules/${file}`);
    expect(p.pack).toBe(file.replace(/\.yaml$/, ''));
    for (const r of p.rules) {
      expect(r.notes.length).toBeGreaterThan(40);
      expect(r.patterns.length + r.deny.length).toBeGreaterThan(0);
    }
    const [d] = createRuleDetectors([p]);
    expect(d!.id).toBe(`rules/${p.pack}`);
    expect(d!.detect('')).toEqual([]);
  });

  it('rule ids are unique across packs and every span names its rule', () => {
    const packs = loadRulePacks();
    const ids = packs.flatMap((p) => p.rules.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    const detectors = createRuleDetectors(packs);
    const text = 'Seen 8/23, call 201-561-8910, MRN 1234567, 92 yo, SSN 123-45-6780, Boston, MA 02114.';
    const spans = detectors.flatMap((d) => d.detect(text) as { source: string }[]);
    expect(spans.length).toBeGreaterThanOrEqual(5);
    for (const s of spans) expect(ids).toContain(s.source.replace(/^rules\//, ''));
  });

  it('by default only Safe Harbor ages (over 89) are flagged; the opt-in pack adds ages under 90', () => {
    const text = 'a 78 yo man and his 92 yo mother';
    const ageTexts = (packs: ReturnType<typeof loadRulePacks>): string[] =>
      createRuleDetectors(packs)
        .flatMap((d) => d.detect(text) as { start: number; end: number; label: string }[])
        .filter((s) => s.label === 'AGE')
        .map((s) => text.slice(s.start, s.end))
        .sort();
    expect(ageTexts(loadRulePacks())).toEqual(['92']);
    expect(ageTexts(loadRulePacks([dir, join(dir, 'optional')]))).toEqual(['78', '92']);
    for (const r of loadRulePacks().flatMap((p) => p.rules)) expect(r.minScore).toBeGreaterThanOrEqual(0.5);
  });

  it('fingerprint is a sha256 of content, stable across loads, sensitive to change', () => {
    const a = fingerprintRulePacks(loadRulePacks());
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintRulePacks(loadRulePacks([dir]))).toBe(a);
    const packs = loadRulePacks();
    const changed = packs.map((p, i) => (i === 0 ? { ...p, rules: p.rules.map((r, j) => (j === 0 ? { ...r, minScore: r.minScore + 0.01 } : r)) } : p));
    expect(fingerprintRulePacks(changed)).not.toBe(a);
    // Where a pack was read from is not part of its identity.
    expect(fingerprintRulePacks(packs.map((p) => ({ ...p, fileName: 'elsewhere.yaml' })))).toBe(a);
    const detectors = createRuleDetectors(packs);
    expect(detectors[0]!.fingerprint?.()).toBe(fingerprintRulePacks([packs[0]!]));
  });
});

describe('loadRulePacks', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'phi-rules-'));
  const good = 'pack: extra\ndescription: extra ids\nrules:\n  - id: badge\n    label: ID\n    subtype: ID\n    notes: Staff badge numbers after the word badge.\n    patterns:\n      - name: after-badge\n        regex: "badge (?<phi>\\\\d{5})"\n        score: 0.9\n';
  writeFileSync(join(tmp, 'extra.yaml'), good);
  writeFileSync(join(tmp, 'notes.txt'), 'not a pack');

  it('reads a folder (yaml files only) and single files, relative to baseDir', () => {
    const fromDir = loadRulePacks([tmp]);
    expect(fromDir.map((p) => p.pack)).toEqual(['extra']);
    const fromFile = loadRulePacks(['extra.yaml'], tmp);
    expect(fromFile[0]!.rules[0]!.id).toBe('badge');
    const [d] = createRuleDetectors(fromFile);
    const text = 'Staff badge 12345 scanned.';
    expect((d!.detect(text) as { start: number; end: number; source: string }[]).map((s) => [text.slice(s.start, s.end), s.source])).toEqual([['12345', 'rules/badge']]);
  });

  it('fails with coded errors naming the path', () => {
    expect(() => loadRulePacks([join(tmp, 'missing.yaml')])).toThrow(/^E025 .*missing\.yaml: rule pack file or folder not found/);
    const empty = mkdtempSync(join(tmpdir(), 'phi-rules-empty-'));
    expect(() => loadRulePacks([empty])).toThrow(/^E025 .*holds no \.yaml rule packs/);
    writeFileSync(join(tmp, 'broken.yaml'), good.replace('\\\\d{5}', '(\\\\d{5}'));
    expect(() => loadRulePacks([join(tmp, 'broken.yaml')])).toThrow(RulePackError);
    expect(() => loadRulePacks([join(tmp, 'broken.yaml')])).toThrow(/E020 .*broken\.yaml: rule "badge": invalid regex/);
  });

  it('the fingerprint of a fixed pack is the one earlier versions computed (--resume manifests stay valid)', () => {
    expect(fingerprintRulePacks([parseRulePack(good, 'elsewhere/extra.yaml')])).toBe('8e6778db1c7ebdbc84790649dbca485dd8b2a5df78f88230f1e0659d1ba4094a');
  });

  it('rejects the same rule id in two packs', () => {
    const a = loadRulePacks(['extra.yaml'], tmp);
    expect(() => createRuleDetectors([...a, ...a])).toThrow(/E023 .*rule "badge": duplicate rule id across packs/);
  });
});
