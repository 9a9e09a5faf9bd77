/**
 * The detector kinds, in the order their detectors run and merge: the one list that the config
 * schema, the CLI's `--detectors` and the run fingerprint read. Each kind's factory (which loads
 * its assets: rule packs, word lists, the model) is in src/node/registry.ts, typed so that a kind
 * without a factory does not compile. Adding a kind: one entry here, one factory there.
 */
export const DETECTOR_KINDS = ['rules', 'dictionaries', 'ner'] as const;

export type DetectorKind = (typeof DETECTOR_KINDS)[number];

export function isDetectorKind(name: string): name is DetectorKind {
  return (DETECTOR_KINDS as readonly string[]).includes(name);
}

/** A `--detectors` list ("rules,ner"): kinds in the given order, duplicates and blanks dropped. */
export function parseDetectorList(list: string): { kinds: DetectorKind[]; unknown?: string } {
  const names = [...new Set(list.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const unknown = names.find((n) => !isDetectorKind(n));
  return unknown === undefined ? { kinds: names as DetectorKind[] } : { kinds: [], unknown };
}
