import type { Operator } from '../types.js';

/** `[NAME]`: the coarse label, so downstream tools can still count entities. */
export const tag: Operator = (span) => `[${span.label}]`;
