import { z } from 'zod';
import { WORD_SOURCE } from './tokens.js';
import { describeSchemaIssue, PhiRedactError } from '../core/errors.js';

/**
 * Cue words for the dictionaries detector, as data (assets/dictionaries/*.yaml). Parsing is
 * pure: a YAML-parsed object in, lowercase word sets and phrase lists out, or a coded error
 * naming the file and the field (E026). The files hold vocabulary only, never note text.
 */

const entry = z.string().min(1).max(60);
const list = z.array(entry).default([]);

export const NameCuesSchema = z
  .object({
    notes: z.string().optional(),
    titles: z.array(entry).min(1),
    ambiguousTitles: list,
    wordTitles: list,
    roles: z.object({ relative: list, clinician: list, patient: list }).strict(),
    weakRoles: list,
    labelOnly: list,
    signoffs: list,
    credentials: list,
    stopWords: list,
    notNames: list,
    clinicalAbbreviations: list,
    eponymHeads: list,
  })
  .strict();

export const PlaceCuesSchema = z
  .object({
    notes: z.string().optional(),
    facilityHeads: z.array(entry).min(1),
    facilityNameWords: list,
    notFacilityNames: list,
    namingHeads: list,
    placeCues: list,
    unitCues: list,
    residenceCues: list,
    placePrepositions: list,
    streetSuffixes: list,
    facilityAbbreviations: list,
    clinicalAcronyms: list,
    usStates: list,
    usStateCodes: list,
    usStateAbbreviations: list,
    cityStates: list,
    notPlaces: list,
  })
  .strict();

/** A multi-word cue as the word tokens it must match ("spoke w/" → ["spoke", "w"]). */
export type Phrase = readonly string[];

export interface NameCues {
  readonly titles: ReadonlySet<string>;
  /** Titles that are also clinical abbreviations (MS): a title only when capitalised, or before a listed name. */
  readonly ambiguousTitles: ReadonlySet<string>;
  /** Titles that are also ordinary words (doctor, miss): in prose only before a capitalised word. */
  readonly wordTitles: ReadonlySet<string>;
  readonly relativeRoles: readonly Phrase[];
  readonly clinicianRoles: readonly Phrase[];
  /** Form labels and phrases before the patient's own name (Name:, maiden name is). */
  readonly patientRoles: readonly Phrase[];
  readonly weakRoles: ReadonlySet<string>;
  /** Patient cues that count only as a form label before a colon (Patient:, Pt:). */
  readonly labelOnly: ReadonlySet<string>;
  /** Letter sign-offs; the name follows on the next line (Best regards,). */
  readonly signoffs: readonly Phrase[];
  readonly credentials: ReadonlySet<string>;
  readonly stopWords: ReadonlySet<string>;
  readonly notNames: ReadonlySet<string>;
  /** Clinical abbreviations that are never a name or place on their own (LE, RVR): safe spans (safeTerms.ts). */
  readonly clinicalAbbreviations: ReadonlySet<string>;
  /** Words after which a name is an eponym, not a person (Kussmaul respirations, Mallory-Weiss tear). */
  readonly eponymHeads: ReadonlySet<string>;
  /** One-word relative and clinician cues: never names themselves (Niece, Sister). */
  readonly roleWords: ReadonlySet<string>;
}

export interface PlaceCues {
  readonly facilityHeads: readonly Phrase[];
  readonly facilityNameWords: ReadonlySet<string>;
  readonly notFacilityNames: ReadonlySet<string>;
  readonly namingHeads: ReadonlySet<string>;
  readonly placeCues: readonly Phrase[];
  readonly unitCues: readonly Phrase[];
  /** Phrases after which capitalised words in prose are a town (lives in, moved to). */
  readonly residenceCues: readonly Phrase[];
  /** Prepositions of place or movement (at, to, from): before a one-word place in an ALL-CAPS note (NER keepSpans). */
  readonly placePrepositions: ReadonlySet<string>;
  /** Street suffixes (USPS Publication 28) that end a street before ", Town". */
  readonly streetSuffixes: ReadonlySet<string>;
  readonly facilityAbbreviations: ReadonlySet<string>;
  /** Upper-case clinical abbreviations that follow movement words (to CT, from OR): never a facility. */
  readonly clinicalAcronyms: ReadonlySet<string>;
  /** Full state names, as phrases ("new york" → ["new", "york"]). */
  readonly usStates: readonly Phrase[];
  readonly usStateCodes: ReadonlySet<string>;
  /** One-word state names (Illinois, Florida): never read as a person's name. */
  readonly usStateWords: ReadonlySet<string>;
  /** Conventional state abbreviations that are no English word (Calif, Fla, Tenn). */
  readonly usStateAbbreviations: ReadonlySet<string>;
  /** States named like a large city (New York, Washington): never read as the state alone. */
  readonly cityStates: readonly Phrase[];
  readonly notPlaces: ReadonlySet<string>;
}


/** Splits a cue into the word tokens the detector sees (same tokenizer rule: letters, inner ' and -). */
export function toPhrase(cue: string): Phrase {
  return cue.toLowerCase().match(new RegExp(WORD_SOURCE, 'gu')) ?? [];
}

function words(values: readonly string[]): Set<string> {
  return new Set(values.flatMap((v) => toPhrase(v).join(' ')).filter((v) => v !== ''));
}

/** Longest phrases first, so "spoke with" wins over "with". */
function phrases(values: readonly string[]): Phrase[] {
  return values.map(toPhrase).filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}

function check<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new DictionaryDataError('E026', `${where}: ${describeSchemaIssue(result.error)}`);
  }
  return result.data;
}

export function parseNameCues(raw: unknown, where = 'names cues'): NameCues {
  const c = check(NameCuesSchema, raw, where);
  return {
    titles: words(c.titles),
    ambiguousTitles: words(c.ambiguousTitles),
    wordTitles: words(c.wordTitles),
    relativeRoles: phrases(c.roles.relative),
    clinicianRoles: phrases(c.roles.clinician),
    patientRoles: phrases(c.roles.patient),
    weakRoles: words(c.weakRoles),
    labelOnly: words(c.labelOnly),
    signoffs: phrases(c.signoffs),
    credentials: words(c.credentials),
    stopWords: words(c.stopWords),
    notNames: words(c.notNames),
    clinicalAbbreviations: words(c.clinicalAbbreviations),
    eponymHeads: words(c.eponymHeads),
    roleWords: new Set([...c.roles.relative, ...c.roles.clinician].map(toPhrase).filter((p) => p.length === 1).map((p) => p[0]!)),
  };
}

export function parsePlaceCues(raw: unknown, where = 'places cues'): PlaceCues {
  const c = check(PlaceCuesSchema, raw, where);
  return {
    facilityHeads: phrases(c.facilityHeads),
    facilityNameWords: words(c.facilityNameWords),
    notFacilityNames: words(c.notFacilityNames),
    namingHeads: words(c.namingHeads),
    placeCues: phrases(c.placeCues),
    unitCues: phrases(c.unitCues),
    residenceCues: phrases(c.residenceCues),
    placePrepositions: words(c.placePrepositions),
    streetSuffixes: words(c.streetSuffixes),
    facilityAbbreviations: words(c.facilityAbbreviations),
    clinicalAcronyms: words(c.clinicalAcronyms),
    usStates: phrases(c.usStates),
    usStateCodes: words(c.usStateCodes),
    usStateWords: new Set(c.usStates.map(toPhrase).filter((p) => p.length === 1).map((p) => p[0]!)),
    usStateAbbreviations: words(c.usStateAbbreviations),
    cityStates: phrases(c.cityStates),
    notPlaces: words(c.notPlaces),
  };
}

/** A cue file or word list that cannot be used: E026, E027. */
export class DictionaryDataError extends PhiRedactError {
  override name = 'DictionaryDataError';
}
