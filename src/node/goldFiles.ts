import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { EvalInputError } from '../eval/errors.js';
import { parseBratDocument, parseGoldJsonl, parsePredJsonl, type GoldReadOptions, type PredDoc } from '../eval/goldReaders.js';
import type { GoldDoc } from '../eval/types.js';

/** Gold and prediction files from disk: JSONL files and BRAT folders, parsed by src/eval/goldReaders.ts. */

/** Reads a file as strict UTF-8 (a leading BOM is dropped). */
export async function readUtf8File(path: string, display = path): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new EvalInputError('E070', display, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EvalInputError('E071', display, 'not valid UTF-8');
  }
}

export async function readGoldJsonl(path: string, options: GoldReadOptions = {}): Promise<GoldDoc[]> {
  const display = options.displayPath ?? path;
  return parseGoldJsonl(await readUtf8File(path, display), display, options);
}

export async function readPredJsonl(path: string, displayPath = path): Promise<PredDoc[]> {
  return parsePredJsonl(await readUtf8File(path, displayPath), displayPath);
}

async function listAnnFiles(dir: string, display: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.ann')) out.push(p);
    }
  };
  try {
    await walk(dir);
  } catch (err) {
    throw new EvalInputError('E070', display, `cannot read folder (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  return out;
}

/** Reads a BRAT folder: every `.ann` with its sibling `.txt`, sorted by path. */
export async function readBratDir(dir: string, options: GoldReadOptions = {}): Promise<GoldDoc[]> {
  const display = options.displayPath ?? dir;
  const annFiles = await listAnnFiles(dir, display);
  if (annFiles.length === 0) throw new EvalInputError('E078', display, 'no .ann files found');
  const docs: GoldDoc[] = [];
  for (const annFile of annFiles) {
    const stem = relative(dir, annFile).slice(0, -'.ann'.length);
    const shown = (ext: string): string => join(display, `${stem}${ext}`);
    const [text, ann] = await Promise.all([readUtf8File(`${join(dir, stem)}.txt`, shown('.txt')), readUtf8File(annFile, shown('.ann'))]);
    docs.push(parseBratDocument(stem.split(sep).join('/'), text, ann, shown('.ann'), options));
  }
  return docs;
}

/** A folder is read as BRAT, a file as gold JSONL. */
export async function readGold(path: string, options: GoldReadOptions = {}): Promise<GoldDoc[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new EvalInputError('E070', options.displayPath ?? path, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  return isDir ? readBratDir(path, options) : readGoldJsonl(path, options);
}
