import type { Label } from '../../../src/core/labels.js';
import type { LibAdapter } from './types.js';

// Default output: `<Redacted email #0>`, `<Redacted phone number #1>`: the README's
// ArcjetSensitiveInfoType with spaces for dashes.
const LABELS: Record<string, Label> = {
  email: 'CONTACT',
  'phone-number': 'CONTACT',
  'ip-address': 'CONTACT',
  'credit-card-number': 'ID',
};

export const adapter: LibAdapter = {
  name: '@arcjet/redact',
  pkg: '@arcjet/redact',
  config: 'redact(text) with defaults (all built-in entities: email, phone-number, ip-address, credit-card-number)',
  async load() {
    const { redact } = await import('@arcjet/redact');
    return {
      kind: 'text',
      tokenPattern: /<Redacted [A-Za-z -]+ #\d+>/g,
      labelOf: (token) => LABELS[(/<Redacted ([A-Za-z -]+) #/.exec(token)?.[1] ?? '').toLowerCase().replace(/ /g, '-')] ?? 'OTHER',
      async redact(text) {
        const [redacted] = await redact(text);
        return redacted;
      },
    };
  },
};
