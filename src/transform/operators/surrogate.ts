import type { Span } from '../../core/span.js';
import { DateShifter, DEFAULT_DATE_SHIFT, type DateShiftOptions } from '../dates.js';
import { keyedStream, type SecretKey } from '../keyed.js';
import { CORPUS_SCOPE } from '../scope.js';
import { ageSurrogate, type AgeOptions } from '../surrogate/age.js';
import { idOrContactSurrogate, neverIssuedSsnRuns } from '../surrogate/formats.js';
import { nameSurrogate } from '../surrogate/names.js';
import { isStateOrCountry, locationSurrogate, organizationSurrogate, professionSurrogate, type PlaceOptions } from '../surrogate/places.js';
import { sameIgnoringCase, scrambleChars } from '../surrogate/shape.js';
import type { Operator, TransformContext } from '../types.js';
import { tag } from './tag.js';
import { CONFIG_DEFAULTS } from '../../core/config.js';

/**
 * The `surrogate` operator: realistic, consistent replacements that are a pure function of
 * (secret key, label, normalized original, scope). No mapping table: the same key gives the
 * same output in every process; another key gives other surrogates.
 *
 * Scope: `ctx.scope` (the patient id the caller resolved) when `scope: 'patient'`, one shared
 * scope when `scope: 'corpus'`. A note without a patient id falls back to the corpus scope.
 *
 * Never the original: anything that cannot be replaced in shape, or whose replacement would
 * equal the original (case-insensitively), is tagged instead — except the values Safe Harbor
 * allows to stay (ages ≤ 89 when kept, years in year-only mode, states when kept).
 */

export interface SurrogateOptions {
  readonly scope: 'patient' | 'corpus';
  readonly dateShift: DateShiftOptions;
  readonly age: AgeOptions;
  /** Cards, NPIs, IBANs: keep a valid checksum (otherwise a deliberately invalid one). */
  readonly keepChecksum: boolean;
  /** ZIP codes: keyed digits of the same length, or Safe Harbor's 3-digit truncation. */
  readonly zip: 'surrogate' | 'zip3';
  /** 3-digit ZIP areas with ≤ 20,000 people, written as 000 in zip3 mode (assets/safe-harbor/). */
  readonly restrictedZip3: readonly string[];
  /** Keep US states and countries (Safe Harbor allows them); default: surrogate them. */
  readonly keepStates: boolean;
}

/** The config's defaults (src/core/config.ts); zip and states, which the preset decides there, as without a preset. */
export const DEFAULT_SURROGATE_OPTIONS: SurrogateOptions = {
  scope: CONFIG_DEFAULTS.surrogate.scope,
  dateShift: DEFAULT_DATE_SHIFT,
  age: { over89: CONFIG_DEFAULTS.surrogate.ageOver89, under90: CONFIG_DEFAULTS.surrogate.agesUnder90 },
  keepChecksum: CONFIG_DEFAULTS.surrogate.keepChecksum,
  zip: 'surrogate',
  restrictedZip3: [],
  keepStates: false,
};

export type SurrogateOptionsInput = Partial<Omit<SurrogateOptions, 'dateShift' | 'age'>> & {
  readonly dateShift?: Partial<DateShiftOptions>;
  readonly age?: Partial<AgeOptions>;
};

export function resolveSurrogateOptions(input: SurrogateOptionsInput = {}): SurrogateOptions {
  return {
    ...DEFAULT_SURROGATE_OPTIONS,
    ...input,
    dateShift: { ...DEFAULT_DATE_SHIFT, ...input.dateShift },
    age: { ...DEFAULT_SURROGATE_OPTIONS.age, ...input.age },
  };
}

/** The scope string a note's surrogates are keyed by. */
export function scopeOf(ctx: TransformContext, options: Pick<SurrogateOptions, 'scope'>): string {
  if (options.scope === 'corpus') return CORPUS_SCOPE;
  return typeof ctx.scope === 'string' && ctx.scope.length > 0 ? `patient:${ctx.scope}` : CORPUS_SCOPE;
}

const STATE_SUBTYPES = new Set(['STATE', 'COUNTRY']);

const placeOptionsCache = new WeakMap<SurrogateOptions, PlaceOptions>();
function placeOptions(options: SurrogateOptions): PlaceOptions {
  let p = placeOptionsCache.get(options);
  if (!p) {
    p = { zip: options.zip, restrictedZip3: new Set(options.restrictedZip3) };
    placeOptionsCache.set(options, p);
  }
  return p;
}

/** The surrogate for one span, or undefined when it must be tagged. */
export function surrogateFor(
  key: SecretKey,
  span: Pick<Span, 'label' | 'subtype'>,
  original: string,
  scope: string,
  options: SurrogateOptions,
  dates: DateShifter,
  referenceYear?: number,
): { text: string; mayEqual: boolean } | undefined {
  const sub = span.subtype?.toUpperCase();
  switch (span.label) {
    case 'NAME':
      return { text: nameSurrogate(key, scope, original), mayEqual: false };
    case 'DATE': {
      if (sub === 'TIME' || sub === 'HOLIDAY') return undefined;
      const shifted = dates.shift(original, scope, span.subtype, referenceYear);
      return shifted === undefined ? undefined : { text: shifted, mayEqual: options.dateShift.yearOnly };
    }
    case 'AGE': {
      const age = ageSurrogate(original, options.age);
      return age === undefined ? undefined : { text: age, mayEqual: true };
    }
    case 'LOCATION':
      if (options.keepStates && ((sub !== undefined && STATE_SUBTYPES.has(sub)) || isStateOrCountry(original))) {
        return { text: original, mayEqual: true };
      }
      return {
        text: locationSurrogate(key, scope, original, placeOptions(options), span.subtype),
        // Safe Harbor's truncated ZIP of a ZIP that already ends in 00 is allowed to stay.
        mayEqual: options.zip === 'zip3',
      };
    case 'ORGANIZATION':
      return { text: organizationSurrogate(key, scope, original), mayEqual: false };
    case 'ID':
    case 'CONTACT':
      return { text: idOrContactSurrogate(key, scope, original, span.label, span.subtype, options), mayEqual: false };
    case 'PROFESSION':
      return { text: professionSurrogate(key, scope, original), mayEqual: false };
    case 'OTHER':
      return {
        text: neverIssuedSsnRuns(key, scope, original, scrambleChars(original, keyedStream(key, 'other', scope, original.toLowerCase()))),
        mayEqual: false,
      };
  }
}

/**
 * Builds the operator for Pipeline's `operators` map: `Pipeline.create(detectors, config,
 * { surrogate: createSurrogateOperator(key, options) })`.
 */
export function createSurrogateOperator(key: SecretKey, input: SurrogateOptionsInput = {}): Operator {
  if (key.length < 16) throw new RangeError('E104 surrogate key must be at least 16 bytes');
  const options = resolveSurrogateOptions(input);
  const dates = new DateShifter(key, options.dateShift);
  return (span, original, ctx) => {
    const scope = scopeOf(ctx, options);
    const referenceYear = typeof ctx.referenceYear === 'number' ? ctx.referenceYear : undefined;
    const result = surrogateFor(key, span, original, scope, options, dates, referenceYear);
    if (result === undefined) return tag(span, original, ctx);
    if (!result.mayEqual && sameIgnoringCase(result.text, original)) return tag(span, original, ctx);
    return result.text;
  };
}
