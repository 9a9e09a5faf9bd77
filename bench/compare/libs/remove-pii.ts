import type { Label } from '../../../src/core/labels.js';
import type { LibAdapter } from './types.js';

// Default replacements (src/patterns.js DEFAULT_CONFIG).
const LABELS: Record<string, Label> = {
  '[email removed]': 'CONTACT',
  '[phone removed]': 'CONTACT',
  '[SSN removed]': 'ID',
  '[credit card removed]': 'ID',
  '[IP address removed]': 'CONTACT',
  '[address removed]': 'LOCATION',
  '[passport number removed]': 'ID',
  "[driver's license removed]": 'ID',
  '[zip code removed]': 'LOCATION',
  '[bank account removed]': 'ID',
  '[URL removed]': 'CONTACT',
  '[date removed]': 'DATE',
};
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const adapter: LibAdapter = {
  name: '@coffeeandfun/remove-pii',
  pkg: '@coffeeandfun/remove-pii',
  config: "removePII(text, { url: { remove: true } }): every built-in type on (the README's high-privacy setting; URLs are off by default)",
  async load() {
    const { removePII } = await import('@coffeeandfun/remove-pii');
    return {
      kind: 'text',
      tokenPattern: new RegExp(Object.keys(LABELS).map(escapeRegExp).join('|'), 'g'),
      labelOf: (token) => LABELS[token] ?? 'OTHER',
      redact: (text) => removePII(text, { url: { remove: true } }),
    };
  },
};
