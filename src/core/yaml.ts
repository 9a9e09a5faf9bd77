import { createRequire } from 'node:module';
import type { YAMLError } from 'yaml';

/**
 * The `yaml` package, required on first use rather than imported: a start that finds its YAML
 * already parsed (dist/generated/assets.json) and has no config file never loads it (~50 ms).
 * Node resolves `import` and `require` of it to the same module, so its classes are the same.
 */
type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

function yaml(): YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as YamlLib;
  return lib;
}

export interface YamlParseOptions {
  readonly prettyErrors?: boolean;
  readonly maxAliasCount?: number;
}

export function parseYaml(text: string, options: YamlParseOptions = {}): unknown {
  return yaml().parse(text, { ...options });
}

/** The line (1-based) a YAML syntax error points at; undefined for other errors. */
export function yamlErrorLine(err: unknown): number | undefined {
  return err instanceof yaml().YAMLError ? (err as YAMLError).linePos?.[0]?.line : undefined;
}
