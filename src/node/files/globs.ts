import type { Config } from '../../core/config.js';

/**
 * Which files a folder run reads when no --glob is given. A module of its own, without the glob
 * matcher, because the CLI's option help quotes it at every start (issue 19).
 */
export const DEFAULT_GLOB = '**/*.txt';

/** The folder glob when none is given: the files the chosen format reads. */
export function defaultGlobFor(chosen: Config['input']['format']): string {
  switch (chosen) {
    case 'jsonl':
      return '**/*.{jsonl,ndjson}';
    case 'csv':
      return '**/*.csv';
    case 'fhir':
      return '**/*.json';
    default:
      return DEFAULT_GLOB;
  }
}
