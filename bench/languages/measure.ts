import type { Span } from '../../src/core/span.js';
import { tokenize, tokensOverlapping } from '../../src/eval/tokens.js';
import type { MarkedNote } from './notes.js';

/**
 * Token-level figures for notes of another language (tokens as `eval` counts them): recall on
 * the marked PHI, and over-redaction, the share of the other tokens that a detected span touches.
 */
export interface LanguageFigures {
  readonly notes: number;
  readonly phiTokens: number;
  readonly phiFound: number;
  readonly otherTokens: number;
  readonly otherRedacted: number;
  readonly recall: number;
  readonly overRedaction: number;
}

export function measure(notes: readonly { readonly note: MarkedNote; readonly detected: readonly Span[] }[]): LanguageFigures {
  let phiTokens = 0;
  let phiFound = 0;
  let otherTokens = 0;
  let otherRedacted = 0;
  for (const { note, detected } of notes) {
    const tokens = tokenize(note.text);
    const mark = (spans: readonly { start: number; end: number }[]): Uint8Array => {
      const hit = new Uint8Array(tokens.length);
      for (const s of spans) {
        const [from, to] = tokensOverlapping(tokens, s.start, s.end);
        hit.fill(1, from, to);
      }
      return hit;
    };
    const gold = mark(note.spans);
    const found = mark(detected);
    for (let i = 0; i < tokens.length; i++) {
      if (gold[i]) {
        phiTokens++;
        phiFound += found[i]!;
      } else {
        otherTokens++;
        otherRedacted += found[i]!;
      }
    }
  }
  return {
    notes: notes.length,
    phiTokens,
    phiFound,
    otherTokens,
    otherRedacted,
    recall: phiTokens === 0 ? 1 : phiFound / phiTokens,
    overRedaction: otherTokens === 0 ? 0 : otherRedacted / otherTokens,
  };
}
