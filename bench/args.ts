/** Command-line options of the eval scripts: `--name value` pairs and bare `--flag`s. */
export const args = process.argv.slice(2);

/** The value after `name`, or `dflt` when the option is absent. */
export function opt(name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
}

export function flag(name: string): boolean {
  return args.includes(name);
}
