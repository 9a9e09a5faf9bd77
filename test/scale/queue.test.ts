import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, deadLetterName, QUEUE_PREFIX, type DeadLetterData, type NoteJobData } from '../../src/node/runs/queue/jobs.js';
import { redisUnavailableReason, startRedis, type TestRedis } from '../setup/redis.js';
import { assertBuilt, countLines, hashTree, MAIN, notOurs, runCli, startCli, tempFiles } from './cli.js';
import { makeNote, writeNoteTree } from './notes.js';

/**
 * Queue safety nets against a real Redis: retries with backoff then dead-letter, refusal of
 * job paths outside the out folder, recovery of a killed worker's jobs (stalled jobs), and the
 * fingerprint check that keeps differently-configured workers off a queue.
 */

const noRedis = redisUnavailableReason();
if (noRedis) console.warn(noRedis);

interface Status {
  submitted: number;
  done: number;
  dead: number;
  deadJobs: number;
  deadReasons: Record<string, number>;
  waiting: number;
  active: number;
  delayed: number;
}

describe.skipIf(noRedis !== undefined)('queue retries, dead letters and stalled jobs', () => {
  let redis: TestRedis;
  let tmp: string;
  const opts = (queue: string): string[] => ['--redis', redis.url, '--queue', queue];
  const status = async (queue: string): Promise<Status> => JSON.parse((await runCli(['queue', 'status', ...opts(queue), '--json'], tmp)).stdout) as Status;

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis();
    tmp = mkdtempSync(join(tmpdir(), 'phi-scale-queue-'));
  });
  afterAll(async () => {
    await redis?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('retries a failing job with backoff, then moves it to the dead-letter queue; the other notes are written', async () => {
    mkdirSync(join(tmp, 'dl'), { recursive: true });
    writeFileSync(join(tmp, 'dl', 'a.txt'), makeNote(1));
    writeFileSync(join(tmp, 'dl', 'b.txt'), makeNote(2));
    // The output for b.txt cannot be written: a folder holds its name.
    mkdirSync(join(tmp, 'dl-out', 'b.txt', 'blocker'), { recursive: true });
    const submit = await runCli(['queue', 'submit', 'dl', ...opts('dl'), '--attempts', '3', '--backoff-ms', '100'], tmp);
    expect(submit.code).toBe(0);
    const started = Date.now();
    const work = await runCli(['queue', 'work', ...opts('dl'), '--out', 'dl-out', '--detectors', 'rules', '--concurrency', '1', '--until-empty', '500'], tmp);
    // Two backoff waits: 100 ms then 200 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(work.code).toBe(1);
    expect(work.stderr).toMatch(/^phi-redact: b\.txt: .* after 3 attempt\(s\); moved to dl-dead\n$/);
    expect(work.stderr).not.toContain('Daughter');
    expect(readFileSync(join(tmp, 'dl-out', 'a.txt'), 'utf8')).not.toBe(makeNote(1));
    expect(tempFiles(join(tmp, 'dl-out'))).toEqual([]);
    expect(await status('dl')).toMatchObject({ submitted: 2, done: 1, dead: 1, deadJobs: 1, waiting: 0, active: 0, delayed: 0 });

    const connection = connect(redis.url);
    const dead = new Queue<DeadLetterData>(deadLetterName('dl'), { connection, prefix: QUEUE_PREFIX });
    try {
      const [job] = await dead.getJobs(['waiting']);
      expect(job?.data.attempts).toBe(3);
      expect(job?.data.outputs).toEqual(['b.txt']);
      // The note is kept for replay; the recorded error is PHI-free.
      expect(job?.data.notes[0]?.text).toBe(makeNote(2));
      expect(job?.data.error).toMatch(/^E045 |^Error E/);
    } finally {
      await dead.close();
      connection.disconnect();
    }
  });

  it('dead-letters at once a job whose output path leaves the out folder, and writes nothing outside it', async () => {
    const connection = connect(redis.url);
    const queue = new Queue<NoteJobData>('evil', { connection, prefix: QUEUE_PREFIX });
    try {
      await queue.add(
        'notes',
        { notes: [{ output: '../escaped.txt', input: '/nowhere', size: 1, mtimeMs: 0, sha256: 'x', text: 'call 617-555-0142' }] },
        { attempts: 5, removeOnComplete: true, removeOnFail: true },
      );
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const work = await runCli(['queue', 'work', ...opts('evil'), '--out', 'evil-out', '--detectors', 'rules', '--concurrency', '1', '--until-empty', '500'], tmp);
    expect(work.code).toBe(1);
    expect(work.stderr).toContain('E082');
    expect(work.stderr).toContain('after 1 attempt(s)');
    expect(Object.keys(hashTree(tmp)).filter((f) => f.includes('escaped'))).toEqual([]);
    expect(await status('evil')).toMatchObject({ dead: 1, deadJobs: 1, waiting: 0, active: 0 });
  });

  it('refuses job outputs under .phi-redact/ or through a link out of --out, dead-letters malformed jobs with a coded reason, and writes the good note', async () => {
    const out = join(tmp, 'hostile-out');
    const outside = join(tmp, 'hostile-outside');
    mkdirSync(join(out, '.phi-redact'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(out, '.phi-redact', 'audit.json'), 'the run audit\n');
    symlinkSync(outside, join(out, 'link'));
    symlinkSync(join(out, '.phi-redact'), join(out, 'inner'));
    const note = (output: string): NoteJobData['notes'][number] => ({ output, input: '/nowhere', size: 1, mtimeMs: 0, sha256: 'x', text: 'call 617-555-0142' });
    const connection = connect(redis.url);
    const queue = new Queue('hostile', { connection, prefix: QUEUE_PREFIX });
    const jobs: unknown[] = [
      { notes: [note('.phi-redact/run.lock')] },
      { notes: [note('.phi-redact/audit.json')] },
      { notes: [note('.PHI-REDACT/audit.json')] },
      { notes: [note('link/escaped.txt')] },
      { notes: [note('inner/audit.json')] },
      { notes: 'not a list' },
      { notes: [{ ...note('m.txt'), text: 42 }] },
      null,
      { notes: [note('good/ok.txt')] },
    ];
    try {
      for (const [i, data] of jobs.entries()) await queue.add('notes', data, { jobId: `j${i}`, attempts: 5, removeOnComplete: true, removeOnFail: true });
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const work = await runCli(['queue', 'work', ...opts('hostile'), '--out', 'hostile-out', '--detectors', 'rules', '--concurrency', '1', '--until-empty', '500'], tmp);
    expect(work.code).toBe(1);
    expect(work.stderr.match(/E082 .* after 1 attempt\(s\)/g)).toHaveLength(5);
    expect(work.stderr).toMatch(/^phi-redact: job j5: E084 malformed job after 1 attempt\(s\); moved to hostile-dead$/m);
    expect(work.stderr.match(/E084 malformed job after 1 attempt/g)).toHaveLength(3);
    expect(work.stderr).not.toContain('617-555');
    expect(readFileSync(join(out, '.phi-redact', 'audit.json'), 'utf8')).toBe('the run audit\n');
    expect(existsSync(join(out, '.phi-redact', 'run.lock'))).toBe(false);
    expect(existsSync(join(out, '.PHI-REDACT'))).toBe(false);
    expect(existsSync(join(outside, 'escaped.txt'))).toBe(false);
    expect(readFileSync(join(out, 'good', 'ok.txt'), 'utf8')).toBe('call [CONTACT]');
    expect(await status('hostile')).toMatchObject({ done: 1, dead: 8, deadJobs: 8, deadReasons: { E082: 5, E084: 3 }, waiting: 0, active: 0 });
    const text = (await runCli(['queue', 'status', ...opts('hostile')], tmp)).stdout;
    expect(text).toContain('8 dead-lettered (E082 x5, E084 x3)');

    const c2 = connect(redis.url);
    const dead = new Queue<DeadLetterData>(deadLetterName('hostile'), { connection: c2, prefix: QUEUE_PREFIX });
    try {
      const malformed = (await dead.getJobs(['waiting'])).find((j) => j.data.jobId === 'j6');
      expect(malformed?.data.error).toBe('E084 malformed job (invalid value at notes.0.text: Invalid input: expected string, received number)');
    } finally {
      await dead.close();
      c2.disconnect();
    }
  });

  it("recovers a SIGKILLed worker's jobs through BullMQ's stalled check: every note written once, same bytes as a folder run", async () => {
    const NOTES = 600;
    writeNoteTree(join(tmp, 'st'), NOTES);
    const reference = await runCli(['redact', 'st', '--out', 'st-ref', '--detectors', 'rules', '--workers', '1'], tmp);
    expect(reference.code).toBe(0);
    expect((await runCli(['queue', 'submit', 'st', ...opts('st')], tmp)).code).toBe(0);

    const lock = ['--lock-ms', '1500'];
    const a = startCli(['queue', 'work', ...opts('st'), '--out', 'st-out', '--detectors', 'rules', '--concurrency', '1', ...lock], tmp);
    a.child.stdin!.end();
    // Kill as soon as the worker has written a few notes (its own manifest: no round trip).
    const manifestA = join(tmp, 'st-out', '.phi-redact', `manifest.${hostname()}-${a.child.pid}.jsonl`);
    for (let waited = 0; waited < 60_000 && countLines(manifestA) < 20; waited += 5) await new Promise((r) => setTimeout(r, 5));
    a.child.kill('SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');
    const mid = await status('st');
    expect(mid.done).toBeLessThan(NOTES);

    // The killed worker may have left a temp file; B deletes leftovers older than 2 s when it stops.
    const b = await runCli(['queue', 'work', ...opts('st'), '--out', 'st-out', '--detectors', 'rules', '--concurrency', '1', ...lock, '--until-empty', '2500', '--stale-temp-ms', '2000'], tmp);
    expect(b.code).toBe(0);
    const end = await status('st');
    expect(end).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    expect(end.done).toBeGreaterThanOrEqual(NOTES);
    expect(hashTree(join(tmp, 'st-out'), notOurs)).toEqual(hashTree(join(tmp, 'st-ref'), notOurs));
    expect(tempFiles(join(tmp, 'st-out'))).toEqual([]);
  });

  it('refuses a worker whose config differs from the workers already on the queue', async () => {
    writeFileSync(join(tmp, 'one.txt'), makeNote(5));
    expect((await runCli(['queue', 'submit', 'one.txt', ...opts('fp')], tmp)).code).toBe(0);
    const first = await runCli(['queue', 'work', ...opts('fp'), '--out', 'fp-out', '--detectors', 'rules', '--concurrency', '1', '--until-empty', '300'], tmp);
    expect(first.code).toBe(0);
    const other = await runCli(['queue', 'work', ...opts('fp'), '--out', 'fp-out', '--detectors', 'rules', '--policy', 'mask', '--concurrency', '1', '--until-empty', '300'], tmp);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^phi-redact: E081 /);
  });

  it('queue submit refuses a JSONL, CSV or FHIR file (E165) instead of queueing it as one text note, and queues the rest', async () => {
    mkdirSync(join(tmp, 'mixed'), { recursive: true });
    writeFileSync(join(tmp, 'mixed', 'a.txt'), makeNote(11));
    writeFileSync(join(tmp, 'mixed', 'b.jsonl'), `${JSON.stringify({ id: 'r1', text: 'Seen by Dr. Quell Okoro on 3/4/2021.' })}\n`);
    writeFileSync(join(tmp, 'mixed', 'c.csv'), 'id,text\nr1,Seen by Dr. Quell Okoro\n');
    const run = await runCli(['queue', 'submit', 'mixed/a.txt', 'mixed/b.jsonl', 'mixed/c.csv', ...opts('records'), '--json'], tmp);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ notes: 1, failed: 2 });
    expect(run.stderr.match(/E165 /g)).toHaveLength(2);
    expect(run.stderr).not.toMatch(/Okoro|Quell/);
    expect((await status('records')).submitted).toBe(1);
  });

  it('queue reset frees a finished queue from its first fingerprint (E081), only with --yes and only once no job waits', async () => {
    writeFileSync(join(tmp, 'r1.txt'), makeNote(6));
    writeFileSync(join(tmp, 'r2.txt'), makeNote(7));
    const work = (policy: string[]) => runCli(['queue', 'work', ...opts('rs'), '--out', 'rs-out', '--detectors', 'rules', ...policy, '--concurrency', '1', '--until-empty', '300'], tmp);
    expect((await runCli(['queue', 'submit', 'r1.txt', ...opts('rs')], tmp)).code).toBe(0);
    expect((await work([])).code).toBe(0);
    expect((await work(['--policy', 'mask'])).stderr).toMatch(/^phi-redact: E081 /);

    const unsure = await runCli(['queue', 'reset', ...opts('rs')], tmp);
    expect(unsure.code).toBe(2);
    expect(unsure.stderr).toBe('phi-redact: E154 queue reset forgets queue rs\'s fingerprint, counters and jobs: add --yes to do it\n');
    // A job still waiting: refused, nothing forgotten.
    expect((await runCli(['queue', 'submit', 'r2.txt', ...opts('rs')], tmp)).code).toBe(0);
    const busy = await runCli(['queue', 'reset', ...opts('rs'), '--yes'], tmp);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/^phi-redact: E154 queue rs still has 1 job\(s\) waiting/);
    expect((await status('rs')).submitted).toBe(2);
    expect((await work([])).code).toBe(0);

    const reset = await runCli(['queue', 'reset', ...opts('rs'), '--yes', '--json'], tmp);
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ queue: 'rs', fingerprint: expect.stringMatching(/^[0-9a-f]{8,}/), deadLettersKept: 0, deadLettersDropped: 0 });
    expect(await status('rs')).toMatchObject({ submitted: 0, done: 0, dead: 0, waiting: 0 });
    // The name is free again: a worker with another config takes it.
    expect((await runCli(['queue', 'submit', 'r1.txt', ...opts('rs')], tmp)).code).toBe(0);
    const masked = await work(['--policy', 'mask']);
    expect(masked.stderr).toBe('');
    expect(masked.code).toBe(0);
    expect(readFileSync(join(tmp, 'rs-out', 'r1.txt'), 'utf8')).toContain('*');
  }, 180_000);

  it('review sample reads the finished queue run (a manifest per worker process)', async () => {
    mkdirSync(join(tmp, 'rv'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(tmp, 'rv', `n${i}.txt`), makeNote(20 + i));
    expect((await runCli(['queue', 'submit', 'rv', ...opts('rv')], tmp)).code).toBe(0);
    expect((await runCli(['queue', 'work', ...opts('rv'), '--out', 'rv-out', '--detectors', 'rules', '--concurrency', '1', '--until-empty', '300'], tmp)).code).toBe(0);
    expect(existsSync(join(tmp, 'rv-out', '.phi-redact', 'manifest.jsonl'))).toBe(false);
    const sample = await runCli(['review', 'sample', 'rv-out', '--n', '3', '--out', 'rv-set'], tmp);
    expect(sample.stderr).toBe('');
    expect(sample.code).toBe(0);
    expect(sample.stdout).toContain('Sampled 3 of 3 notes');
    const ids = readFileSync(join(tmp, 'rv-set', 'items.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).id).sort();
    expect(ids).toEqual(['n0.txt', 'n1.txt', 'n2.txt']);
  });

  it('reports an unreachable Redis as a usage error without hanging', async () => {
    const { child, done } = startCli(['queue', 'status', '--queue', 'x'], tmp, { PHI_REDACT_REDIS: 'redis://user:hunter2@127.0.0.1:1' });
    child.stdin!.end();
    const r = await done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^phi-redact: E080 cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)\n$/);
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe.skipIf(noRedis !== undefined)('Redis credentials never on the command line', () => {
  let redis: TestRedis;
  let tmp: string;
  const PASSWORD = 'correct-horse-battery-staple';
  const statusRun = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const { child, done } = startCli(['queue', 'status', '--queue', 'creds', '--json', ...args], tmp, env);
    child.stdin!.end();
    return done;
  };

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis(['--requirepass', PASSWORD]);
    tmp = mkdtempSync(join(tmpdir(), 'phi-scale-creds-'));
    writeFileSync(join(tmp, 'redis-password'), `${PASSWORD}\n`, { mode: 0o600 });
    mkdirSync(join(tmp, 'a-folder'));
    symlinkSync('/dev/stdin', join(tmp, 'stdin-link'));
  });
  afterAll(async () => {
    await redis?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    [`redis://:${PASSWORD}@127.0.0.1:PORT`],
    [`redis://worker:${PASSWORD}@127.0.0.1:PORT`],
    [`redis://127.0.0.1:PORT?password=${PASSWORD}`],
    [`rediss://:${PASSWORD}@127.0.0.1:PORT/2`],
  ])('refuses a password inside --redis (%s) with E085, before connecting, without printing it', async (url) => {
    const r = await statusRun(['--redis', url.replace('PORT', String(redis.port))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^phi-redact: E085 --redis .*: a password on the command line is visible to every user in ps; give it with --redis-password-file FILE or PHI_REDACT_REDIS_PASSWORD/);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('logs in with --redis-password-file, with PHI_REDACT_REDIS_PASSWORD, or with a URL in PHI_REDACT_REDIS; not without a password', async () => {
    const viaFile = await statusRun(['--redis', redis.url, '--redis-password-file', 'redis-password']);
    expect(viaFile.code, viaFile.stderr).toBe(0);
    expect(JSON.parse(viaFile.stdout)).toMatchObject({ queue: 'creds', submitted: 0 });
    expect((await statusRun(['--redis', redis.url], { PHI_REDACT_REDIS_PASSWORD: PASSWORD })).code).toBe(0);
    expect((await statusRun([], { PHI_REDACT_REDIS: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` })).code).toBe(0);
    // The file wins over a wrong password in the environment's URL.
    expect((await statusRun(['--redis-password-file', 'redis-password'], { PHI_REDACT_REDIS: `redis://:wrong@127.0.0.1:${redis.port}` })).code).toBe(0);
    const none = await statusRun(['--redis', redis.url]);
    expect(none.code).toBe(2);
    // Reached but refused: said as such, not as "cannot reach Redis" (issue 19).
    expect(none.stderr).toMatch(/^phi-redact: E080 Redis at \S+ refused the login \(NOAUTH\): check --redis-password-file/);
    const wrong = await statusRun(['--redis', redis.url], { PHI_REDACT_REDIS_PASSWORD: 'not-the-password' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^phi-redact: E080 Redis at \S+ refused the login \(WRONGPASS\)/);
    expect(wrong.stderr).not.toContain('not-the-password');
  });

  it.each([
    ['a-folder', 'is not a regular file'],
    ['/dev/stdin', 'is a standard stream (stdin, stdout or stderr), not a file'],
    ['stdin-link', 'is a standard stream (stdin, stdout or stderr), not a file'],
    ['missing-file', 'cannot be read (ENOENT)'],
  ])('refuses --redis-password-file %s (E085), even when stdin is a regular file', (file, why) => {
    // stdin redirected from a regular file holding the password: /dev/stdin IS a regular file then.
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${MAIN}" queue status --queue creds --redis ${redis.url} --redis-password-file ${file} < redis-password`], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`phi-redact: E085 the Redis password file ${file.startsWith('/') ? file : join(tmp, file)} ${why}\n`);
  });
});
