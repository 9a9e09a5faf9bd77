import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for scale tests that drive the built CLI (`dist/cli/main.js`) as a real process. */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx tsc -p ." (npm test does it in pretest)`);
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function startCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function runCli(args: readonly string[], cwd: string, stdin?: string | Buffer): Promise<CliRun> {
  const { child, done } = startCli(args, cwd);
  child.stdin!.end(stdin ?? '');
  return done;
}

/** Every file under `root` (relative, "/"-separated) → SHA-256, optionally skipping some. */
export function hashTree(root: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = relative(root, p).split('\\').join('/');
      if (skip(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

export const notOurs = (rel: string): boolean => rel === '.phi-redact' || rel.startsWith('.phi-redact/');

/** Paths of our temp files (`.phi-redact-<pid>-<hex>.tmp`) anywhere under `root`. */
export function tempFiles(root: string): string[] {
  return Object.keys(hashTree(root)).filter((rel) => /(^|\/)\.phi-redact-\d+-[0-9a-f]{12}\.tmp$/.test(rel));
}

export function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  return text.split('\n').filter((l) => l.endsWith('}')).length;
}
