import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { TOKEN_ENV } from '../../src/serve/token.js';
import { fakeIO } from '../cli/fakeIO.js';
import { assertBuilt, startCli } from '../scale/cli.js';
import { NOTE, NOTE_PHI, TOKEN } from './helpers.js';

const cwd = mkdtempSync(join(tmpdir(), 'phi-serve-cli-'));

describe('phi-redact serve (CLI)', () => {
  it.each([
    ['no token', [], {}, /^phi-redact: E130 no bearer token/],
    ['a remote host without --allow-remote', ['--host', '0.0.0.0'], { [TOKEN_ENV]: TOKEN }, /^phi-redact: E131 host 0\.0\.0\.0 is not a loopback address/],
    ['a bad port', ['--port', '70000'], { [TOKEN_ENV]: TOKEN }, /^phi-redact: --port must be an integer/],
  ])('refuses to start: %s (exit 2)', async (_name, args, env, message) => {
    const f = fakeIO({ cwd, env });
    const r = await run(['serve', '--detectors', 'rules', ...args], f.io);
    expect(r.exitCode).toBe(2);
    expect(f.stderr()).toMatch(message);
  });

  it('starts, answers, logs no note text, and exits 0 on SIGTERM', async () => {
    assertBuilt();
    const { child, done } = startCli(['serve', '--detectors', 'rules', '--port', '0'], cwd, { [TOKEN_ENV]: TOKEN });
    let stderr = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
        const m = /ready on (http:\/\/[\d.:]+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('close', () => reject(new Error(`serve ended early: ${stderr}`)));
    });
    const r = await fetch(`${address}/v1/redact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: NOTE }),
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { text: string }).text).toContain('[DATE]');
    child.kill('SIGTERM');
    const end = await done;
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/SIGTERM: finishing the requests in flight\nphi-redact: stopped\n$/);
    expect(end.stderr).toMatch(/"method":"POST","route":"\/v1\/redact","status":200/);
    for (const phi of [...NOTE_PHI, 'Quellmar', TOKEN]) expect(end.stderr).not.toContain(phi);
  });
});
