import type { Operator } from '../types.js';

/**
 * One mask character per UTF-16 code unit, keeping whitespace and line breaks: the masked
 * note has exactly the input's length, so output offsets equal input offsets and column-based
 * downstream parsing survives. (An emoji therefore becomes `**`.)
 */
export const mask: Operator = (_span, original) => original.replace(/\S/g, '*');
