import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createNerDetector } from '../../../src/detect/ner/index.js';

/** Helpers for the fail-closed tests: copy a model folder, damage its config, try to load it. */
export const MODEL_FILES = ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json'];

export async function copyModelFolder(from: string, dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  for (const f of MODEL_FILES) await copyFile(join(from, f), join(dir, f));
  return dir;
}

export async function editConfig(dir: string, edit: (c: Record<string, unknown>) => void): Promise<void> {
  const file = join(dir, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(config);
  await writeFile(file, JSON.stringify(config));
}

/** The load error's message, or 'loaded' when the folder loads. */
export async function loadError(dir: string): Promise<string> {
  const d = createNerDetector({ modelDir: dir, threads: 1 });
  try {
    await d.load!();
  } catch (err) {
    return (err as Error).message;
  }
  await d.dispose!();
  return 'loaded';
}

/** A temporary folder for the calling describe block: made before its tests, removed after them. */
export function suiteTempDir(prefix: string): () => string {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));
  return () => root;
}
