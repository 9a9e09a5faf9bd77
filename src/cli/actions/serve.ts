import { dirname, resolve } from 'node:path';
import { parseConfig, type Config } from '../../core/config.js';
import { loadConfig } from '../../node/createPipeline.js';
import { KEY_ENV, loadSecretKey } from '../../node/keys.js';
import { setUpRun } from '../../node/runs/setup.js';
import { loadServeToken } from '../../serve/token.js';
import { CliError, EXIT, type CliIO } from '../io.js';
import { parseDetectorsOption } from '../options.js';
import { untilStopped } from '../../node/runs/signals.js';

export interface ServeCliOptions {
  config?: string;
  detectors?: string;
  policy?: 'tag' | 'mask' | 'surrogate' | 'keep';
  keyFile?: string;
  tokenFile?: string;
  host?: string;
  port?: string;
  allowRemote?: boolean;
  quiet?: boolean;
}

/** What `phi-redact serve` does: src/cli/commands/serve.ts declares it and loads this when it runs (issue 19: other commands stay off a command's start). */

export async function serveCommand(options: ServeCliOptions, io: CliIO): Promise<number> {
  const configPath = options.config === undefined ? undefined : resolve(io.cwd, options.config);
  const token = loadServeToken({ ...(options.tokenFile !== undefined ? { tokenFile: resolve(io.cwd, options.tokenFile) } : {}), env: io.env });
  let config: Config = loadConfig(configPath);
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) throw new CliError('--port must be an integer from 0 to 65535');
  config = parseConfig(
    {
      ...config,
      ...(options.detectors !== undefined ? { detectors: parseDetectorsOption(options.detectors) } : {}),
      ...(options.policy !== undefined ? { policy: { ...config.policy, DEFAULT: options.policy } } : {}),
      serve: { ...config.serve, ...(options.host !== undefined ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) },
    },
    configPath ?? 'config',
  );
  // The server's own policy decides whether a key is needed at start (E117 and the random-key
  // warning as in a run); a key given explicitly is also there for requests asking for surrogates.
  const setup = await setUpRun({ config, configPath, cwd: io.cwd, keyFile: options.keyFile, env: io.env, onWarning: (w) => void io.stderr.write(`phi-redact: ${w}\n`) });
  const explicitKey = options.keyFile !== undefined || (io.env[KEY_ENV] ?? '') !== '';
  const key = setup.load.key ?? (explicitKey ? loadSecretKey({ ...(options.keyFile !== undefined ? { keyFile: resolve(io.cwd, options.keyFile) } : {}), env: io.env }).key : undefined);

  // Loaded here, not at start: Fastify is for this command only (instant start of the others, issue 19).
  const { createServer } = await import('../../serve/server.js');
  const server = createServer({
    config,
    baseDir: configPath === undefined ? io.cwd : dirname(configPath),
    token,
    ...(key !== undefined ? { key } : {}),
    allowRemote: options.allowRemote === true,
    ...(options.quiet === true ? {} : { accessLog: io.stderr }),
  });
  const stopped = untilStopped();
  const address = await server.listen();
  io.stderr.write(`phi-redact: listening on ${address}; loading the pipeline (GET /readyz says when it is ready)\n`);
  let early: string | undefined;
  try {
    early = await Promise.race([server.ready.then(() => undefined), stopped]);
  } catch (err) {
    // Fail closed: a pipeline that cannot load (missing model, bad checksum) ends the service.
    await server.close();
    throw err;
  }
  if (early === undefined) io.stderr.write(`phi-redact: ready on ${address}\n`);
  const signal = early ?? (await stopped);
  io.stderr.write(`phi-redact: ${signal}: finishing the requests in flight\n`);
  await server.close();
  io.stderr.write('phi-redact: stopped\n');
  return EXIT.OK;
}
