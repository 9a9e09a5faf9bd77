import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway Redis for queue tests: Debian's `redis-server` on 127.0.0.1, a random free port,
 * no persistence (`--save '' --appendonly no`), its own temp working folder. `.ci/run` installs
 * redis-server, so in CI these tests run; on a machine without it they are skipped with a
 * message saying why.
 */

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** Why Redis tests cannot run here, or undefined when they can. */
export function redisUnavailableReason(): string | undefined {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `${REDIS_SERVER} is not installed (apt-get install redis-server); skipping the queue tests`;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (/Ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    });
  });
}

/** Starts a private Redis (retrying on a port race) and returns its URL and a stop function; `extraArgs` go to redis-server (e.g. `--requirepass`). */
export async function startRedis(extraArgs: readonly string[] = []): Promise<TestRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'phi-redis-'));
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice', ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForReady(child, 10_000);
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: async () => {
        if (child.exitCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error('redis-server did not start');
}
