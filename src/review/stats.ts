/** Statistics for the review report. Pure functions over counts. */

/** Two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface Proportion {
  readonly successes: number;
  readonly trials: number;
  /** successes / trials, or null when there were no trials. */
  readonly value: number | null;
  /** 95% Wilson score interval, or null when there were no trials. */
  readonly ci: Interval | null;
}

/**
 * Wilson score interval for a binomial proportion. Unlike the Wald interval it stays inside
 * [0, 1] and does not collapse to zero width at 0/n or n/n, which is exactly where a good
 * detector's review lands (Brown, Cai & DasGupta 2001).
 */
export function wilson(successes: number, trials: number, z: number = Z95): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At 0/n and n/n the bound is exactly 0 or 1; rounding would leave it a hair off.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === trials ? 1 : Math.min(1, centre + half) };
}

export function proportion(successes: number, trials: number): Proportion {
  return { successes, trials, value: trials > 0 ? successes / trials : null, ci: wilson(successes, trials) };
}

/** Per stratum: its run size and the per-note values observed in its reviewed notes. */
export interface StratumSample {
  readonly key: string;
  readonly population: number;
  readonly values: readonly number[];
}

export interface StratifiedMean {
  /** Estimated mean per note over the covered population, or null if nothing was reviewed. */
  readonly mean: number | null;
  readonly se: number | null;
  /** mean ± 1.96·se, floored at 0 (counts cannot be negative); see the rule of three below. */
  readonly ci: Interval | null;
  /** Share of the run's notes in strata with at least one reviewed note. */
  readonly coverage: number;
  /** Strata with exactly one reviewed note: no variance can be estimated there (rule of three only). */
  readonly singletonStrata: number;
}

/**
 * Stratified estimator of a per-note mean: Σ W_h ȳ_h with W_h = N_h / N, and its variance
 * Σ W_h² (1 − n_h/N_h) s_h² / n_h (with finite-population correction). Strata with no reviewed
 * note are left out and reported through `coverage`; W_h is then renormalised over the
 * covered strata.
 *
 * A stratum whose reviewed notes all agree (typically: no residual PHI in any of them) has
 * s² = 0, and the normal interval would claim certainty. Such a stratum instead adds the
 * Poisson "rule of three" bound W_h · (3 / n_h) · (1 − n_h/N_h) to the upper limit: seeing
 * nothing in n_h notes only shows the mean is below about 3/n_h, less for the part reviewed.
 */
export function stratifiedMean(strata: readonly StratumSample[]): StratifiedMean {
  const totalPopulation = strata.reduce((a, s) => a + s.population, 0);
  const covered = strata.filter((s) => s.values.length > 0 && s.population > 0);
  const coveredPopulation = covered.reduce((a, s) => a + s.population, 0);
  const coverage = totalPopulation > 0 ? coveredPopulation / totalPopulation : 0;
  if (coveredPopulation === 0) return { mean: null, se: null, ci: null, coverage, singletonStrata: 0 };
  let mean = 0;
  let variance = 0;
  let ruleOfThree = 0;
  let singletonStrata = 0;
  for (const s of covered) {
    const w = s.population / coveredPopulation;
    const n = s.values.length;
    const m = s.values.reduce((a, b) => a + b, 0) / n;
    const fpc = Math.max(0, 1 - n / s.population);
    mean += w * m;
    if (n === 1) singletonStrata++;
    const s2 = n > 1 ? s.values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1) : 0;
    if (s2 > 0) variance += (w * w * fpc * s2) / n;
    else ruleOfThree += (w * 3 * fpc) / n;
  }
  const se = Math.sqrt(variance);
  return { mean, se, ci: { low: Math.max(0, mean - Z95 * se), high: mean + Z95 * se + ruleOfThree }, coverage, singletonStrata };
}

export interface Kappa {
  /** Items both raters judged. */
  readonly n: number;
  readonly observed: number;
  readonly expected: number;
  /** Cohen's kappa, or null when it is undefined (no items, or chance agreement is 1). */
  readonly kappa: number | null;
}

/**
 * Cohen's kappa from paired ratings: (p_o − p_e) / (1 − p_e), with p_o the observed agreement
 * and p_e the agreement expected from each rater's own category frequencies.
 */
export function cohensKappa(pairs: readonly (readonly [string, string])[]): Kappa {
  const n = pairs.length;
  if (n === 0) return { n, observed: 0, expected: 0, kappa: null };
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
    if (x === y) agree++;
  }
  const observed = agree / n;
  let expected = 0;
  for (const [cat, count] of a) expected += (count / n) * ((b.get(cat) ?? 0) / n);
  const kappa = expected >= 1 ? null : (observed - expected) / (1 - expected);
  return { n, observed, expected, kappa };
}
