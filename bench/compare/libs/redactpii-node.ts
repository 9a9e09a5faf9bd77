import type { Label } from '../../../src/core/labels.js';
import type { LibAdapter } from './types.js';

// Redactor's default replacements (lib/Redactor.js).
const LABELS: Record<string, Label> = {
  CREDIT_CARD_NUMBER: 'ID',
  EMAIL_ADDRESS: 'CONTACT',
  PERSON_NAME: 'NAME',
  PHONE_NUMBER: 'CONTACT',
  US_SOCIAL_SECURITY_NUMBER: 'ID',
  DIGITS: 'OTHER',
};

export const adapter: LibAdapter = {
  name: '@redactpii/node',
  pkg: '@redactpii/node',
  config: 'new Redactor() with defaults (CREDIT_CARD, EMAIL, NAME, PHONE, SSN; no API key, so nothing leaves the process)',
  async load() {
    const { Redactor } = await import('@redactpii/node');
    const redactor = new Redactor();
    return {
      kind: 'text',
      tokenPattern: new RegExp(`\\b(?:${Object.keys(LABELS).join('|')})\\b`, 'g'),
      labelOf: (token) => LABELS[token] ?? 'OTHER',
      redact: (text) => redactor.redact(text),
    };
  },
};
