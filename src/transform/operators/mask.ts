import type { Operator } from '../types.js';

/**
 * One mask character per original character, keeping whitespace and line breaks so the
 * layout (and any column-based downstream parsing) survives.
 */
export const mask: Operator = (_span, original) => original.replace(/[^\s]/gu, '*');
