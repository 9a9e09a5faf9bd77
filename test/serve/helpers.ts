import { PassThrough } from 'node:stream';
import { parseConfig, type Config, type ConfigInput } from '../../src/core/config.js';
import type { PipelineLoader, ServedPipeline } from '../../src/serve/pipelines.js';
import { createServer, type PhiServer, type ServeOptions } from '../../src/serve/server.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

/** Invented notes (no real person): each has a date, a phone number and a record number the rules find. */
export const NOTE = 'Seen 03/14/2021 by Dr. Quellmar; call 410-555-0143. MRN: 44170921.';
export const NOTE_PHI = ['03/14/2021', '410-555-0143', '44170921'];

export function config(input: ConfigInput = {}): Config {
  return parseConfig({ detectors: ['rules'], ...input });
}

/** A server with the real rules-only pipeline (loads in milliseconds) and its access log captured. */
export function rulesServer(input: ConfigInput = {}, extra: Partial<ServeOptions> = {}): PhiServer & { log(): string } {
  const log: Buffer[] = [];
  const accessLog = new PassThrough();
  accessLog.on('data', (c: Buffer) => log.push(c));
  const server = createServer({ config: config(input), baseDir: process.cwd(), token: Buffer.from(TOKEN), accessLog, ...extra });
  return Object.assign(server, { log: () => Buffer.concat(log).toString('utf8') });
}

/**
 * A stand-in pipeline whose every note waits until `release()` (or `ms`), so requests can be
 * held in flight; `throwOn` makes a note whose text contains it fail with a plain Error quoting it.
 */
export function gatedLoader(options: { ms?: number; throwOn?: string; loadGate?: Promise<void> } = {}) {
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  let entered!: () => void;
  const started = new Promise<void>((r) => (entered = r));
  const loads: Config[] = [];
  const disposed: Config[] = [];
  const loader: PipelineLoader = async (o) => {
    await options.loadGate;
    const cfg = o.config as Config;
    loads.push(cfg);
    const pipeline: ServedPipeline = {
      detectors: [],
      config: cfg,
      fingerprints: () => ({}),
      keyFingerprint: () => 'none',
      analyze: async (text: string) => {
        entered();
        if (options.throwOn !== undefined && text.includes(options.throwOn)) throw new Error(`cannot read ${text}`);
        await (options.ms !== undefined ? new Promise((r) => setTimeout(r, options.ms)) : gate);
        return { spans: [{ start: 0, end: Math.min(4, text.length), label: 'NAME', source: 'fake/x', score: 1 }], raw: [] };
      },
      transform: (text, analysis) => ({ text: `[NAME]${text.slice(4)}`, spans: analysis.spans.map((s) => ({ ...s, outStart: 0, outEnd: 6, operator: 'tag' as const })), analysis }),
      dispose: async () => void disposed.push(cfg),
    };
    return pipeline;
  };
  return {
    loader,
    started,
    loads,
    disposed,
    release: () => {
      open();
      gate = Promise.resolve();
    },
  };
}
