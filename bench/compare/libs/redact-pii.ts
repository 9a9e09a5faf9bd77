import { createRequire } from 'node:module';
import type { Label } from '../../../src/core/labels.js';
import type { LibAdapter } from './types.js';

// SyncRedactor's default replacements are the built-in rule names in SNAKE_CASE (lib/composition.js).
const LABELS: Record<string, Label> = {
  CREDIT_CARD_NUMBER: 'ID',
  STREET_ADDRESS: 'LOCATION',
  ZIPCODE: 'LOCATION',
  PHONE_NUMBER: 'CONTACT',
  IP_ADDRESS: 'CONTACT',
  US_SOCIAL_SECURITY_NUMBER: 'ID',
  EMAIL_ADDRESS: 'CONTACT',
  USERNAME: 'NAME',
  PASSWORD: 'OTHER',
  CREDENTIALS: 'OTHER',
  DIGITS: 'OTHER',
  URL: 'CONTACT',
  PERSON_NAME: 'NAME',
};

// Tokens with an underscore can land inside words (`DE` + CREDIT_CARD_NUMBER + `9705` from an
// IBAN), so they are matched anywhere; one-word tokens (URL, DIGITS) only as whole words, so that
// upper-case note text is not taken for a token.
const names = Object.keys(LABELS).sort((a, b) => b.length - a.length);
const TOKENS = new RegExp(
  [...names.filter((n) => n.includes('_')), ...names.filter((n) => !n.includes('_')).map((n) => `\\b${n}\\b`)].join('|'),
  'g',
);

export const adapter: LibAdapter = {
  name: 'redact-pii',
  pkg: 'redact-pii',
  config: 'new SyncRedactor() with defaults (local regex rules + name list; Google DLP never called, but its client loads with the package entry)',
  async load() {
    // The package is CommonJS; its entry also requires @google-cloud/dlp, as it does for every user.
    const { SyncRedactor } = createRequire(import.meta.url)('redact-pii') as typeof import('redact-pii');
    const redactor = new SyncRedactor();
    return {
      kind: 'text',
      tokenPattern: TOKENS,
      labelOf: (token) => LABELS[token] ?? 'OTHER',
      redact: (text) => redactor.redact(text),
    };
  },
};
