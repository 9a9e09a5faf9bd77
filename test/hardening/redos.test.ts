import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRule, type CompiledRule } from '../../src/detect/rules/engine.js';
import { backtrackingRisk, patternKey, recheckPattern, refusal } from '../../src/detect/rules/backtracking.js';
import { CHECKED_PATTERNS } from '../../src/detect/rules/checkedPatterns.js';
import { parseRulePack, RulePackError, type RulePack } from '../../src/detect/rules/pack.js';
import { bundledRulesDir } from '../../src/node/assets/rulePacks.js';

/**
 * ReDoS: patterns recheck finds super-linear are refused when a pack loads (E022), and every
 * bundled rule is fuzzed with adversarial text (long runs of digits, dots, @, spaces, slashes,
 * dashes and mixes) to check that its time per KB stays flat from 10 KB to 100 KB input.
 */

/** Every YAML rule pack shipped in rules/ (bundled, optional, safe-harbor), whatever the folder. */
function shippedPacks(): RulePack[] {
  const packs: RulePack[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/u.test(name)) {
        const text = readFileSync(p, 'utf8');
        if (/^rules:/mu.test(text) && /^pack:/mu.test(text)) packs.push(parseRulePack(text, p));
      }
    }
  };
  walk(bundledRulesDir());
  return packs;
}

const packWith = (regex: string, flags = ''): string =>
  stringify({ pack: 't', description: 'd', rules: [{ id: 'r', label: 'ID', subtype: 'MRN', notes: 'A medical record number: six or more digits, as issued by the hospital.', patterns: [{ name: 'p', regex, flags, score: 0.5 }] }] });

const refusedAtLoad = (regex: string): void => {
  let err: unknown;
  try {
    parseRulePack(packWith(regex), 'rules/t.yaml');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RulePackError);
  expect((err as Error).message).toMatch(/^E022 rules\/t\.yaml: rule "r": pattern "p" may backtrack catastrophically \(recheck: /u);
};

describe('catastrophic regex shapes are refused at load (E022)', () => {
  it.each([
    ['(a+)+b'],
    ['(\\w+\\s?)+$'],
    ['([a-z]+\\.?)*@'],
    ['(x+x+)+y'],
    ['((ab)*)+c'],
    ['(?:a{2,})*b'],
    ['(?:\\s*,?\\s*\\w+)*;'],
    ['(\\d{1,60}-?)+x'],
    ['(?:[^@]+@?)+!'],
    ['(?<word>\\w+\\s)*z'],
    ['(a|a)*b'],
    ['(a|ab)*c'],
    ['(\\d|\\d\\d)+x'],
    ['(?:x|)*y'],
    ['(?:[0-9]|[0-9]-)+z'],
  ])('%s', (regex) => {
    refusedAtLoad(regex);
  });

  // Shapes the former hand-written check (nested unbounded quantifiers, prefix-overlapping
  // alternatives) let through: overlapping alternatives, optional pieces and large bounded repeats.
  it.each([['(\\w|\\d)+$'], ['(?:[a-z]|[a-c])+$'], ['(?:\\d?\\d?)+X'], ['(?:\\d{1,40}){1,40}X']])('%s (missed by the former shape check)', (regex) => {
    refusedAtLoad(regex);
    expect(backtrackingRisk(regex, ''), regex).toMatch(/^recheck: exponential/u);
  });

  // A rule is an unanchored search over the whole note, so a run of letters or digits with no
  // end in sight costs O(n²): refused now, accepted by the shape check.
  it.each([['(?:ab|cd)*e'], ['[a-z]+@[a-z]+\\.(?:com|org)'], ['(a+)?b'], ['\\d+x']])('%s (quadratic in a search)', (regex) => {
    refusedAtLoad(regex);
    expect(backtrackingRisk(regex, ''), regex).toMatch(/^recheck: 2nd degree polynomial/u);
  });

  it.each([
    ['\\d{3}-\\d{4}'],
    ['(?:\\d{1,3}\\.){3}\\d{1,3}'],
    ['(?:\\.[A-Za-z0-9\\-]{1,63}){1,6}'],
    ['(?:Mr|Mrs|Ms)\\.? [A-Z][a-z]+'],
    ['(?:x|ext\\.?)\\s?\\d{1,5}'],
    ['(?<![A-Za-z0-9])(?:ab|cd){1,4}e'],
  ])('accepts the safe shape %s', (regex) => {
    expect(backtrackingRisk(regex, '')).toBeUndefined();
    expect(() => parseRulePack(packWith(regex), 'rules/t.yaml')).not.toThrow();
  });

  it('the pack\'s flags reach the analyser', () => {
    // Without u, \p{L} is literal text (p, {, L, }); with u, a letter class: a run of letters searched for an x.
    expect(() => parseRulePack(packWith('\\p{L}+x'), 'rules/t.yaml')).not.toThrow();
    expect(() => parseRulePack(packWith('\\p{L}+x', 'u'), 'rules/t.yaml')).toThrow(/^E022 .*\(recheck: 2nd degree polynomial\)/u);
    // With i, the two alternatives match the same letters: exponential, not only quadratic.
    expect(backtrackingRisk('(?:a|A)+$', '')).toMatch(/^recheck: 2nd degree polynomial/u);
    expect(backtrackingRisk('(?:a|A)+$', 'i')).toMatch(/^recheck: exponential/u);
  });

  // recheck takes seconds per pattern, so parseRulePack recognises the shipped patterns by hash
  // (src/detect/rules/checkedPatterns.ts) instead of loading it at every start. This re-checks
  // each of them and keeps the list exact; after editing a pack, regenerate it with
  // UPDATE_CHECKED_PATTERNS=1 npx vitest run test/hardening/redos.test.ts
  it('every shipped pattern is safe by recheck and listed in checkedPatterns.ts, and nothing else is', () => {
    const patterns = new Map<string, { id: string; regex: string; flags: string }>();
    for (const r of shippedPacks().flatMap((p) => p.rules)) for (const p of r.patterns) patterns.set(patternKey(p.regex, p.flags), { id: `${r.id}/${p.name}`, regex: p.regex, flags: p.flags });
    expect(patterns.size).toBeGreaterThan(20);
    const unsafe = [...patterns.values()].flatMap(({ id, regex, flags }) => {
      // No wall-clock limit here: without recheck's native binary, its pure-JS fallback takes up to ~10 s on the longest ones.
      const why = refusal(recheckPattern(regex, flags, { timeout: null }));
      return why ? [`${id}: ${why}`] : [];
    });
    expect(unsafe).toEqual([]);
    const keys = [...patterns.keys()].sort();
    if (process.env.UPDATE_CHECKED_PATTERNS) {
      const file = new URL('../../src/detect/rules/checkedPatterns.ts', import.meta.url);
      const head = readFileSync(file, 'utf8').split('export const')[0];
      writeFileSync(file, `${head}export const CHECKED_PATTERNS: ReadonlySet<string> = new Set([\n${keys.map((k) => `  '${k}',\n`).join('')}]);\n`);
    } else {
      expect([...CHECKED_PATTERNS].sort()).toEqual(keys);
    }
  }, 600_000);
});

/** Units repeated to build hostile text: what makes phone, date, e-mail, URL and ID patterns try hardest. */
const UNITS = ['1', '12', '123-', '1.', '.', '@', 'a@', 'a.', ' ', '  1', '/', '1/', '-', '1-', '+1', '(1', ')', ':', 'x', 'A1', '#', '0 ', '\t', '\n', 'Dr ', 'Mc', 'ext'];
const FIXED: readonly string[] = ['1', '1.', '.', '@', ' ', '/', '-', '1/', '1-', 'a@', 'a.', '12 ', '+1 ', 'A1'];

function repeatTo(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/** Best of `n` timings, in ms (the minimum is the least disturbed by other load on the machine). */
function bestMs(rule: CompiledRule, text: string, n: number): number {
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    rule.find(text);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const RATIO_BOUND = 5; // linear is 1; quadratic would be ~10 from 10 KB to 100 KB
const FLOOR_MS_PER_KB = 0.25; // below this at 100 KB, timing noise dominates: pass
const slowest = new Map<string, number>();
let cases = 0;

/** ms/KB at `kb` and at ten times `kb` (best of several runs each; the first run also warms the regex up). */
function measure(rule: CompiledRule, unit: string, kb: number, runsSmall = 3, runsLarge = 2): { perKbSmall: number; perKbLarge: number } {
  rule.find(repeatTo(unit, 1024));
  return {
    perKbSmall: bestMs(rule, repeatTo(unit, kb * 1024), runsSmall) / kb,
    perKbLarge: bestMs(rule, repeatTo(unit, 10 * kb * 1024), runsLarge) / (10 * kb),
  };
}

function checkLinear(rule: CompiledRule, unit: string, kb = 10): void {
  let { perKbSmall, perKbLarge } = measure(rule, unit, kb);
  // Up to three more careful looks before calling it superlinear: on a shared, loaded box one
  // preempted large run makes a linear rule look 100x slower, while a quadratic one stays ~10x
  // slower per KB on every look.
  for (let look = 0; look < 3 && perKbLarge > FLOOR_MS_PER_KB && perKbLarge / Math.max(perKbSmall, 0.001) >= RATIO_BOUND; look++) {
    ({ perKbSmall, perKbLarge } = measure(rule, unit, kb, 5, 3));
  }
  if (kb === 10) {
    cases += 1;
    slowest.set(rule.source, Math.max(slowest.get(rule.source) ?? 0, perKbLarge));
  }
  if (perKbLarge > FLOOR_MS_PER_KB) {
    expect(perKbLarge / Math.max(perKbSmall, 0.001), `${rule.source} on ${JSON.stringify(unit)} repeated`).toBeLessThan(RATIO_BOUND);
  }
}

describe('ReDoS fuzz: every shipped rule stays linear on adversarial input', () => {
  const rules = shippedPacks().flatMap((p) => p.rules.map(compileRule));

  afterAll(() => {
    const rows = [...slowest.entries()].sort((a, b) => b[1] - a[1]);
    console.log(`ReDoS fuzz: ${cases} cases (rule x input, each timed at 10 KB and 100 KB) over ${rules.length} rules`);
    console.log(`slowest ms/KB at 100 KB per rule:\n${rows.map(([r, v]) => `  ${r.padEnd(44)} ${v.toFixed(3)}`).join('\n')}`);
    console.log(`all ${rows.length} rules <= ${rows[0]?.[1].toFixed(3)} ms/KB`);
  });

  it('the check itself fails on a rule that is quadratic (\\d+x over digits, 2 KB vs 20 KB)', () => {
    // \d+x is refused at load (E022), so the rule is built around the loader.
    const rule = parseRulePack(packWith('\\d{1,9}x'), 'rules/t.yaml').rules[0]!;
    const quadratic = compileRule({ ...rule, patterns: rule.patterns.map((p) => ({ ...p, regex: '\\d+x' })) });
    const { perKbSmall, perKbLarge } = measure(quadratic, '1', 2, 7, 3);
    expect(perKbLarge).toBeGreaterThan(FLOOR_MS_PER_KB);
    expect(perKbLarge / perKbSmall).toBeGreaterThan(RATIO_BOUND);
  }, 60_000);

  it('fixed hostile runs (digits, dots, @, spaces, slashes, dashes)', () => {
    for (const rule of rules) for (const unit of FIXED) checkLinear(rule, unit);
  }, 300_000);

  it('fast-check mixes of hostile units', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...UNITS), { minLength: 2, maxLength: 6 }), (parts) => {
        const unit = parts.join('');
        for (const rule of rules) checkLinear(rule, unit);
      }),
      { numRuns: 12, seed: 20261123 },
    );
  }, 300_000);
});

describe('whole pipeline (rules + dictionaries): detection, merging and replacement stay linear on span-dense text', () => {
  const DENSE = ['3/14/2023 ', '617-555-0142 ', 'Dr. Smith ', 'a@b.com ', 'MRN 1234567 ', 'Mr. John ', 'New York ', 'PA, ', 'Seen 3/14 by Dr. Grace Miller at 12 Main St, Boston MA 02114. '];

  it.each(DENSE.map((u) => [u]))('%j repeated: ms/KB at 100 KB within the bound of 10 KB', async (unit) => {
    const { loadPipeline } = await import('../../src/node/createPipeline.js');
    const pipeline = await loadPipeline({ detectors: ['rules', 'dictionaries'] });
    try {
      const best = async (text: string, n: number): Promise<number> => {
        let ms = Infinity;
        for (let k = 0; k < n; k++) {
          const t0 = performance.now();
          await pipeline.redact(text);
          ms = Math.min(ms, performance.now() - t0);
        }
        return ms;
      };
      let small = (await best(repeatTo(unit, 10 * 1024), 3)) / 10;
      let large = (await best(repeatTo(unit, 100 * 1024), 2)) / 100;
      // Noise on a loaded box hits one look; a superlinear pipeline is slow on every look.
      for (let look = 0; look < 3 && large > FLOOR_MS_PER_KB && large / Math.max(small, 0.001) >= RATIO_BOUND; look++) {
        small = (await best(repeatTo(unit, 10 * 1024), 5)) / 10;
        large = (await best(repeatTo(unit, 100 * 1024), 3)) / 100;
      }
      console.log(`pipeline on ${JSON.stringify(unit)}: ${small.toFixed(3)} -> ${large.toFixed(3)} ms/KB (10 KB -> 100 KB)`);
      if (large > FLOOR_MS_PER_KB) expect(large / Math.max(small, 0.001)).toBeLessThan(RATIO_BOUND);
    } finally {
      await pipeline.dispose();
    }
  }, 120_000);
});

describe('dictionaries detector alone: name- and place-dense hostile text stays linear (fast-check mixes)', () => {
  const NAMEISH = ['Dr. ', 'Smith ', 'and ', 'Mr. John ', 'New York ', 'St. ', 'PA, ', 'per ', 'A. ', 'Grace ', 'MGH ', 'transferred to ', 'Boston, MA ', 'lives in ', 'Rehab ', 'Nursing Home ', 'FARR 2 ', 'Name: ', "O'Brien ", 'Mc', '\n', 'DR X '];

  it('10 KB vs 100 KB, ms/KB within the bound', async () => {
    const { loadPipeline } = await import('../../src/node/createPipeline.js');
    const pipeline = await loadPipeline({ detectors: ['dictionaries'] });
    const detector = pipeline.detectors[0]!;
    const time = (text: string, n: number): number => {
      let ms = Infinity;
      for (let k = 0; k < n; k++) {
        const t0 = performance.now();
        detector.detect(text, {});
        ms = Math.min(ms, performance.now() - t0);
      }
      return ms;
    };
    let worst = 0;
    let runs = 0;
    try {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...NAMEISH), { minLength: 1, maxLength: 5 }), (parts) => {
          const unit = parts.join('');
          time(repeatTo(unit, 1024), 1);
          let small = time(repeatTo(unit, 10 * 1024), 3) / 10;
          let large = time(repeatTo(unit, 100 * 1024), 2) / 100;
          for (let look = 0; look < 3 && large > FLOOR_MS_PER_KB && large / Math.max(small, 0.001) >= RATIO_BOUND; look++) {
            small = time(repeatTo(unit, 10 * 1024), 5) / 10;
            large = time(repeatTo(unit, 100 * 1024), 3) / 100;
          }
          runs += 1;
          worst = Math.max(worst, large);
          if (large > FLOOR_MS_PER_KB) expect(large / Math.max(small, 0.001), JSON.stringify(unit)).toBeLessThan(RATIO_BOUND);
        }),
        { numRuns: 15, seed: 20261123 },
      );
    } finally {
      await pipeline.dispose();
    }
    console.log(`dictionaries fuzz: ${runs} cases, slowest ${worst.toFixed(3)} ms/KB at 100 KB`);
  }, 300_000);
});
