import { parseYaml, yamlErrorLine } from '../core/yaml.js';
import { ConfigError, parseConfig, type Config } from '../core/config.js';
import { readSmallTextFile } from './files/smallFile.js';

/** Error codes: E011 config file cannot be read; E014 not valid YAML/JSON; E010 fails the schema (parseConfig). */

/** Reads and validates a YAML or JSON config file; with no path, returns the all-defaults config. */
export function loadConfig(path?: string): Config {
  if (path === undefined) return parseConfig({});
  let source: string;
  try {
    source = readSmallTextFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ConfigError('E011', `cannot read config file ${path} (${code})`);
  }
  let raw: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser covers both formats.
    raw = parseYaml(source, { prettyErrors: false });
  } catch (err) {
    const at = yamlErrorLine(err);
    const where = at !== undefined ? ` at line ${at}` : '';
    throw new ConfigError('E014', `config file ${path} is not valid YAML or JSON${where}`);
  }
  return parseConfig(raw, path);
}
