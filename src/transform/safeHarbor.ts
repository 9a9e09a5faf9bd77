import type { Config } from '../core/config.js';
import type { SurrogateOptionsInput } from './operators/surrogate.js';
import type { Policy } from './types.js';

/**
 * The HIPAA Safe Harbor preset (45 CFR 164.514(b)(2)). Every one of the 18 identifier kinds
 * maps onto our labels: names (NAME); geographic subdivisions smaller than a state (LOCATION:
 * surrogated, ZIP codes cut to their first 3 digits, 000 for the sparse areas in
 * assets/safe-harbor/zip3-restricted.yaml; states and countries may stay); all date elements
 * except the year (DATE: year only, or shifted if `surrogate.dateShift.yearOnly: false`);
 * ages over 89 (AGE → "90+"); phone, fax, email, URL, IP (CONTACT); SSN, MRN, health plan,
 * account, certificate/license, vehicle, device, biometric and any other unique number (ID,
 * OTHER). Free-text kinds we cannot render safely in shape are tagged.
 */
export const SAFE_HARBOR_POLICY: Policy = {
  DEFAULT: 'surrogate',
  NAME: 'surrogate',
  DATE: 'surrogate',
  AGE: 'surrogate',
  LOCATION: 'surrogate',
  ORGANIZATION: 'surrogate',
  ID: 'surrogate',
  CONTACT: 'surrogate',
  PROFESSION: 'tag',
  OTHER: 'tag',
};

/** The policy a run uses: the preset's, with the config's explicit per-label choices on top. */
export function effectivePolicy(config: Pick<Config, 'policy' | 'preset'>): Policy {
  if (config.preset !== 'safe-harbor') return config.policy;
  const { DEFAULT: _default, ...explicit } = config.policy;
  const chosen = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  return { ...SAFE_HARBOR_POLICY, ...chosen };
}

/** The surrogate operator's options from the config (the preset fills the unset ones). */
export function surrogateOptionsFromConfig(
  config: Pick<Config, 'surrogate' | 'preset'>,
  restrictedZip3: readonly string[],
  /** The current year (the io layer passes it): under the preset, years before year − 89 are tagged. */
  currentYear?: number,
): SurrogateOptionsInput {
  const s = config.surrogate;
  const safeHarbor = config.preset === 'safe-harbor';
  return {
    scope: s.scope,
    dateShift: {
      minDays: s.dateShift.minDays,
      maxDays: s.dateShift.maxDays,
      keepWeekday: s.dateShift.keepWeekday,
      yearOnly: s.dateShift.yearOnly ?? safeHarbor,
      referenceYear: s.dateShift.referenceYear,
      ...(safeHarbor && currentYear !== undefined ? { minYear: currentYear - 89 } : {}),
    },
    age: { over89: s.ageOver89, under90: s.agesUnder90 },
    keepChecksum: s.keepChecksum,
    zip: s.zip ?? (safeHarbor ? 'zip3' : 'surrogate'),
    keepStates: s.keepStates ?? safeHarbor,
    restrictedZip3,
  };
}

/** True when any label of the policy uses the surrogate operator (a key is then needed). */
export function usesSurrogate(policy: Policy): boolean {
  return Object.values(policy).includes('surrogate');
}
