import { loadPipeline } from '../../../src/node/createPipeline.js';
import type { LibAdapter } from './types.js';

export const adapter: LibAdapter = {
  name: 'phi-redact (rules + dictionaries)',
  pkg: 'phi-redact',
  config: "loadPipeline({ detectors: ['rules', 'dictionaries'] }) (no model), default config; pipeline.redact(text), spans from analysis.spans",
  async load() {
    const pipeline = await loadPipeline({ detectors: ['rules', 'dictionaries'] });
    return {
      kind: 'spans',
      async detect(text) {
        const r = await pipeline.redact(text);
        return r.analysis.spans.map((s) => ({ start: s.start, end: s.end, label: s.label }));
      },
    };
  },
};
