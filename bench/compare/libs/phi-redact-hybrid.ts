import { parseConfig } from '../../../src/core/config.js';
import { loadPipeline } from '../../../src/node/createPipeline.js';
import type { LibAdapter } from './types.js';

export const adapter: LibAdapter = {
  name: 'phi-redact (hybrid: rules + dictionaries + NER)',
  pkg: 'phi-redact',
  config: "loadPipeline({ detectors: ['rules', 'dictionaries', 'ner'] }) (the default), default config and models/phi-ner; pipeline.redact(text), spans from analysis.spans",
  async load({ modelDir }) {
    const config = modelDir !== undefined ? parseConfig({ ner: { modelDir } }) : undefined;
    const pipeline = await loadPipeline({ detectors: ['rules', 'dictionaries', 'ner'], ...(config ? { config } : {}) });
    return {
      kind: 'spans',
      async detect(text) {
        const r = await pipeline.redact(text);
        return r.analysis.spans.map((s) => ({ start: s.start, end: s.end, label: s.label }));
      },
    };
  },
};
