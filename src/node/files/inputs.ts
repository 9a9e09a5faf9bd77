import type { KnownIdentifiers } from '../../detect/site/known.js';
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { isAtomicTempName } from './atomicWrite.js';
import { InputError, UsageError } from '../../core/errors.js';
import { MANIFEST_DIR } from '../runs/manifest.js';
import { DEFAULT_GLOB } from './globs.js';

/**
 * Expands the user's paths into the list of notes to redact and where each goes.
 *
 * Output layout (mirrors the input):
 *   - one folder   `notes/`            → `<out>/<path inside notes>`
 *   - one file     `notes/a.txt`       → `<out>/a.txt`
 *   - several paths, each under its own basename: `a/ b/c.txt` → `<out>/a/...`, `<out>/c.txt`
 * Two inputs that would land on the same output path, or an output that would replace an
 * input, are usage errors: inputs are never modified.
 *
 * Folders are walked recursively in name order. Files match `glob` (default `**\/*.txt`; a
 * pattern without "/" matches the file name at any depth; case-insensitive; hidden files and
 * folders are skipped). Files named explicitly are taken whatever their name. Symlinked folders
 * are not followed (no cycles); symlinked files are. The out folder itself, our manifest folder
 * and our temp files are never read as input.
 */

export interface InputFile {
  /** Absolute path. */
  readonly path: string;
  /** How errors name it: relative to cwd when inside it, else absolute. */
  readonly display: string;
  /** Output path relative to the out folder, "/"-separated. */
  readonly output: string;
  /** What the manifest records as `input` when not `path` (`--hash-names`: a keyed hash). */
  readonly manifestInput?: string;
  /** The note's known identifiers from a `--known` sidecar (issue 16): PHI, used for redaction only, never written. */
  readonly known?: KnownIdentifiers;
}

export interface InputProblem {
  readonly display: string;
  readonly error: InputError;
}

export interface CollectOptions {
  readonly cwd: string;
  /** Absolute out folder. */
  readonly outDir: string;
  readonly glob?: string;
}

/** A pattern without "/" matches the file name at any depth; one with "/" the path inside the folder. */
export function globMatcher(glob: string): (relPath: string) => boolean {
  const match = picomatch(glob, { dot: false, nocase: true });
  // picomatch's own `basename` option also applies to patterns with "/", which then never match.
  return glob.includes('/') ? match : (relPath) => match(relPath.slice(relPath.lastIndexOf('/') + 1));
}

export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return printable(rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel);
}

/** Control characters in a file name (newline, ESC) are escaped, so each problem stays one line and cannot drive the terminal. */
function printable(name: string): string {
  return name.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

export async function collectInputs(
  paths: readonly string[],
  options: CollectOptions,
): Promise<{ files: InputFile[]; problems: InputProblem[] }> {
  const matches = globMatcher(options.glob ?? DEFAULT_GLOB);
  const outDir = resolve(options.outDir);
  const several = paths.length > 1;
  const files: InputFile[] = [];
  const problems: InputProblem[] = [];

  for (const given of paths) {
    const abs = resolve(options.cwd, given);
    const display = displayPath(abs, options.cwd);
    let info: Stats;
    try {
      info = await stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({
        display,
        error: code === 'ENOENT' || code === 'ENOTDIR'
          ? new InputError('E040', 'no such file or folder')
          : new InputError('E044', `cannot read (${code ?? 'EIO'})`),
      });
      continue;
    }
    if (info.isDirectory()) {
      const prefix = several ? `${basename(abs)}/` : '';
      await walk(abs, '', (rel, filePath) => {
        files.push({ path: filePath, display: displayPath(filePath, options.cwd), output: prefix + rel });
      }, problems, options.cwd, outDir, matches);
    } else if (!info.isFile()) {
      // A FIFO would block the run forever and /dev/zero never ends: only regular files are notes.
      problems.push({ display, error: new InputError('E044', 'cannot read (not a regular file: FIFO, device or socket)') });
    } else {
      files.push({ path: abs, display, output: basename(abs) });
    }
  }

  const seenOutput = new Map<string, string>();
  const inputPaths = new Set(files.map((f) => f.path));
  for (const f of files) {
    const key = process.platform === 'darwin' || process.platform === 'win32' ? f.output.toLowerCase() : f.output;
    const other = seenOutput.get(key);
    if (other !== undefined && other !== f.path) {
      throw new UsageError(`${displayPath(other, options.cwd)} and ${f.display} would both be written to ${f.output}; redact them in separate runs`);
    }
    seenOutput.set(key, f.path);
    if (inputPaths.has(join(outDir, f.output))) {
      throw new UsageError(`writing ${f.output} into the --out folder would replace the input ${f.display}; choose another --out folder`);
    }
  }
  // The same file named twice (e.g. a file and its folder) is redacted once.
  const unique = [...new Map(files.map((f) => [`${f.path}\0${f.output}`, f])).values()];
  return { files: unique, problems };
}

async function walk(
  dir: string,
  rel: string,
  emit: (rel: string, path: string) => void,
  problems: InputProblem[],
  cwd: string,
  outDir: string,
  matches: (path: string) => boolean,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    problems.push({ display: displayPath(dir, cwd), error: new InputError('E044', `cannot read folder (${code})`) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.name === MANIFEST_DIR || isAtomicTempName(entry.name) || path === outDir) continue;
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.')) continue;
      await walk(path, childRel, emit, problems, cwd, outDir, matches);
    } else if (entry.isFile() || (entry.isSymbolicLink() && (await isFileLink(path)))) {
      if (matches(toPosix(childRel))) emit(childRel, path);
    } else if (entry.isSymbolicLink() && matches(toPosix(childRel))) {
      // A note-named link that goes nowhere (dangling, or a loop) is a note we cannot read: say so.
      const code = await linkError(path);
      if (code !== undefined) {
        problems.push({
          display: displayPath(path, cwd),
          error: code === 'ENOENT' ? new InputError('E040', 'no such file or folder (dangling symlink)') : new InputError('E044', `cannot read (${code})`),
        });
      }
    } else if (!entry.isDirectory() && !entry.isSymbolicLink() && matches(toPosix(childRel))) {
      problems.push({ display: displayPath(path, cwd), error: new InputError('E044', 'cannot read (not a regular file: FIFO, device or socket)') });
    }
  }
}

/** Why a symlink cannot be followed (ENOENT, ELOOP, ...), or undefined when it can (e.g. a folder link). */
async function linkError(path: string): Promise<string | undefined> {
  try {
    await stat(path);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EIO';
  }
}

async function isFileLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink() && (await stat(path)).isFile();
  } catch {
    return false; // dangling link
  }
}
