import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command line after the script name, as given (bench/compare records it in its report). */
export const args = process.argv.slice(2);

/** Each option of a script: its default value (then it takes `--name value` or `--name=value`), or `false` for a bare `--flag`. */
type Spec = Readonly<Record<string, string | false>>;
export type Options<S extends Spec> = { readonly [K in keyof S]: S[K] extends false ? boolean : string };

/**
 * The options of a bench script, parsed by node:util parseArgs (strict): an unknown option, a
 * positional argument or an option without its value stops the script with the parser's message.
 */
export function options<const S extends Spec>(spec: S): Options<S> {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, dflt] of Object.entries(spec)) {
    config[name] = dflt === false ? { type: 'boolean', default: false } : { type: 'string', default: dflt };
  }
  try {
    return parseArgs({ args, options: config, strict: true, allowPositionals: false }).values as unknown as Options<S>;
  } catch (err) {
    console.error(`${(err as Error).message}\noptions: ${Object.entries(spec).map(([name, dflt]) => (dflt === false ? `--${name}` : `--${name} ${dflt === '' ? '…' : dflt}`)).join(' ')}`);
    process.exit(2);
  }
}
