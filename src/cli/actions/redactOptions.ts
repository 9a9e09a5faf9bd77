import type { RecordFormat } from '../../core/config.js';

/** The options `phi-redact redact` takes, as commander hands them over (src/cli/commands/redact.ts declares them). */
export interface RedactOptions {
  out?: string;
  glob?: string;
  config?: string;
  detectors?: string;
  policy?: 'tag' | 'mask' | 'surrogate';
  keyFile?: string;
  mode?: string;
  vault?: string;
  format?: RecordFormat;
  encoding?: string;
  textColumn?: string;
  idColumn?: string;
  emit?: 'spans';
  workers?: string;
  resume?: boolean;
  retryFailed?: boolean;
  noteSeconds?: string;
  workerMemory?: string;
  quiet?: boolean;
  json?: boolean;
  onError: 'skip' | 'fail';
  separator: string;
  audit?: string;
  hashNames?: boolean;
  known?: string;
}
