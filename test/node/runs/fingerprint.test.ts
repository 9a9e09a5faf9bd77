import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDictionaryDir } from '../../../src/node/assets/wordLists.js';
import type { AuditReport } from '../../../src/node/runs/audit.js';
import { assertBuilt, runCli } from '../../scale/cli.js';

// The run fingerprint hashes every detector's fingerprint, so a change to any detector's assets
// (here a cue file of the dictionaries) makes --resume redo every note. It used to group
// detectors by id prefix, and the dictionaries' fingerprints never reached it.
describe('--resume and the run fingerprint', () => {
  let tmp: string;
  const NOTES = 4;
  const args = ['redact', 'notes', '--out', 'out', '--detectors', 'rules,dictionaries', '--workers', '1', '-c', 'config.yaml', '--json'];
  const report = async (extra: string[] = []): Promise<AuditReport> => {
    const r = await runCli([...args, ...extra], tmp);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as AuditReport;
  };

  beforeAll(() => {
    assertBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'phi-fp-'));
    mkdirSync(join(tmp, 'notes'));
    for (let i = 0; i < NOTES; i++) writeFileSync(join(tmp, 'notes', `n${i}.txt`), `Seen by Dr. Okafor on 3/${i + 1}/2021 with his wife.\n`);
    cpSync(bundledDictionaryDir(), join(tmp, 'cues'), { recursive: true });
    writeFileSync(join(tmp, 'config.yaml'), 'dictionaries:\n  cues: cues\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('skips finished notes when nothing changed, and redoes them all after a cue file is edited', async () => {
    expect((await report()).notes).toMatchObject({ done: NOTES, skipped: 0 });
    const unchanged = await report(['--resume']);
    expect(unchanged.notes).toMatchObject({ done: 0, skipped: NOTES });

    const names = join(tmp, 'cues', 'names.yaml');
    writeFileSync(names, `${readFileSync(names, 'utf8')}\n# a site's edit\n`);
    const edited = await report(['--resume']);
    expect(edited.notes).toMatchObject({ done: NOTES, skipped: 0 });
    expect(edited.fingerprints.detectors).not.toBe(unchanged.fingerprints.detectors);
    expect(edited.fingerprints.combined).not.toBe(unchanged.fingerprints.combined);
    expect(edited.fingerprints.config).toBe(unchanged.fingerprints.config);
  });
});
