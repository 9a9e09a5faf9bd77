/**
 * Offsets written by Python tools (the shared gold, BRAT) count Unicode code points; JS string
 * indices count UTF-16 code units. They differ only after a character outside the BMP.
 */
export function hasAstral(text: string): boolean {
  return /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text);
}

/** `map[cp]` is the UTF-16 index of code point `cp`; `map[codePointCount]` is `text.length`. */
export function codePointToUtf16Map(text: string): number[] {
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return map;
}
