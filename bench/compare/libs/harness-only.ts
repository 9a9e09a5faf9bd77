import type { LibAdapter } from './types.js';

/** No redaction: the harness's own time and memory (Node, tsx, the notes), for reference. */
export const adapter: LibAdapter = {
  name: 'harness only (no redaction)',
  pkg: 'phi-redact',
  config: 'returns the note unchanged',
  async load() {
    return { kind: 'spans', detect: () => [] };
  },
};
