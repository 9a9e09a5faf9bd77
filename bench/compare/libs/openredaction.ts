import type { Label } from '../../../src/core/labels.js';
import type { LibAdapter, PredSpan } from './types.js';

/**
 * OpenRedaction names ~560 pattern types (EMAIL, PHONE_US, MEDICAL_RECORD_NUMBER, XBOX_GAMERTAG…).
 * Mapped by the words in the type name; anything else is an identifier (ID).
 */
export function labelOfType(type: string): Label {
  const t = type.toUpperCase();
  if (/EMAIL|PHONE|FAX|MOBILE|URL|IP_?ADDRESS|IPV[46]|MAC_ADDRESS/.test(t)) return 'CONTACT';
  if (/DATE|DOB|BIRTH/.test(t)) return 'DATE';
  if (/ADDRESS|STREET|ZIP|POSTCODE|POSTAL|CITY|LOCATION|COORDINATE/.test(t)) return 'LOCATION';
  if (/NAME|USERNAME|GAMERTAG|HANDLE/.test(t)) return 'NAME';
  if (/\bAGE\b/.test(t)) return 'AGE';
  return 'ID';
}

export const adapter: LibAdapter = {
  name: '@openredaction/openredaction',
  pkg: '@openredaction/openredaction',
  config: 'new OpenRedaction() with defaults (all patterns, placeholder mode); spans from detect().detections[].position',
  async load() {
    const { OpenRedaction } = await import('@openredaction/openredaction');
    const shield = new OpenRedaction();
    return {
      kind: 'spans',
      async detect(text) {
        const result = await shield.detect(text);
        return result.detections.map(
          (d): PredSpan => ({ start: d.position[0], end: d.position[1], label: labelOfType(d.type) }),
        );
      },
    };
  },
};
