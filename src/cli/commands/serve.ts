import type { Command } from 'commander';
import { Option } from 'commander';
import { KEY_ENV } from '../../node/keys.js';
import type { CliIO, RegisterCommand } from '../io.js';
import type { ServeCliOptions } from '../actions/serve.js';

export const registerServe: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('serve')
    .description('HTTP service: POST /v1/redact and /v1/analyze with the pipeline loaded once (README "HTTP service").')
    .option('-c, --config <file>', 'YAML or JSON config file (its `serve` section: limits of the service)')
    .option('--detectors <list>', 'comma-separated detectors: rules,dictionaries,ner (default: the config\'s)')
    .addOption(new Option('--policy <operator>', 'operator for every label the config does not name').choices(['tag', 'mask', 'surrogate', 'keep']))
    .option('--key-file <file>', `secret for surrogates and date shifts (else $${KEY_ENV})`)
    .option('--token-file <file>', 'the bearer token clients must send (else $PHI_REDACT_SERVE_TOKEN; never on the command line)')
    .option('--host <host>', 'address to listen on (default: config serve.host, 127.0.0.1)')
    .option('--port <port>', 'port (default: config serve.port, 8080; 0: any free port)')
    .option('--allow-remote', 'allow a --host that is not loopback (put TLS in front of it)')
    .option('--quiet', 'no access log on stderr')
    .action(async (options: ServeCliOptions) => {
      setExit(await (await import('../actions/index.js')).serveCommand(options, io));
    });
};
