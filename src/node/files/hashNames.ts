import { createHmac, hkdfSync } from 'node:crypto';
import { extname } from 'node:path';
import type { SecretKey } from '../../transform/keyed.js';
import type { InputFile } from './inputs.js';

/**
 * `redact --hash-names`: file names often carry PHI (`Smith_John_1957-03-02.txt`, a folder per
 * patient), and a folder run copies them into output names, the manifest and stderr. With it on,
 * every part of each output path is replaced by an HMAC-SHA-256 of that part under a key derived
 * from the run's secret (HKDF, its own label), so names are stable across runs and machines with
 * the same key (and `--resume` works) but say nothing without it; the tree's shape is kept. A
 * common note extension is kept (`.txt`, ...), any other dropped (it could be a name's tail).
 * The manifest's `input` becomes `hmac-sha256:<hex>` of the input's absolute path, and messages
 * name a note by its hashed output path.
 */

const KEEP_EXTENSIONS = new Set(['.txt', '.text', '.md', '.note', '.rtf', '.csv', '.json', '.jsonl', '.ndjson', '.xml', '.html', '.htm']);

export interface NameHasher {
  /** The hashed form of an output path relative to the out folder ("/"-separated). */
  output(rel: string): string;
  /** What the manifest records as `input` for an absolute input path. */
  input(absPath: string): string;
  /** How a path that never became a note (missing, unreadable) is named in messages. */
  hidden(display: string): string;
}

export function nameHasher(secret: SecretKey): NameHasher {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'phi-redact/hash-names/v1', 32));
  const mac = (kind: string, value: string): string => createHmac('sha256', key).update(`${kind}\0${value}`).digest('hex');
  return {
    output: (rel) =>
      rel
        .split('/')
        .map((part, i, parts) => {
          const ext = extname(part).toLowerCase();
          return mac('name', part).slice(0, 24) + (i === parts.length - 1 && KEEP_EXTENSIONS.has(ext) ? ext : '');
        })
        .join('/'),
    input: (absPath) => `hmac-sha256:${mac('input', absPath).slice(0, 32)}`,
    hidden: (display) => `(name hidden: ${mac('display', display).slice(0, 12)})`,
  };
}

/** The files with hashed output paths, displays and manifest inputs (the path read stays the same). */
export function hashFileNames(files: readonly InputFile[], hasher: NameHasher): InputFile[] {
  return files.map((f) => {
    const output = hasher.output(f.output);
    return { ...f, display: output, output, manifestInput: hasher.input(f.path) };
  });
}
