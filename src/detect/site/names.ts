import { phraseWords } from './phrases.js';

/**
 * A person's name as a site roster or a record system writes it, and the forms a note writes
 * it in. Notes rarely spell a name the way the roster does: `Dr. Jane Q. Smith-Jones, MD` is
 * written `J. Smith-Jones`, `Smith Jones, Jane`, `SMITH-JONES`, `smith-jones's` or with a slip
 * (`Smtih`). Pure.
 */

export interface PersonName {
  /** Given names (first, then middle), as word keys. */
  readonly given: readonly string[];
  /** The surname's words (a hyphenated or two-word surname has several), as word keys. */
  readonly surname: readonly string[];
}

export interface NameForm {
  readonly words: readonly string[];
  /** Only where capitalised in the note (a surname or a first name standing alone). */
  readonly capital: boolean;
}

const TITLES = new Set(['dr', 'doctor', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'professor', 'sr', 'sister', 'rev', 'nurse']);
/** Credentials written after a name; dropped before the name is read. */
const CREDENTIALS = new Set([
  'md', 'do', 'rn', 'np', 'pa', 'c', 'crt', 'rrt', 'phd', 'ms', 'msn', 'bsn', 'lpn', 'cna', 'pt', 'ot', 'dds', 'msw', 'licsw', 'lcsw',
  'cnm', 'crna', 'aprn', 'fnp', 'dnp', 'pharmd', 'rph', 'mph', 'facs', 'facp', 'jr', 'sr', 'ii', 'iii', 'iv', 'bc', 'ccrn',
]);

/** Surname words this short are too common alone (`Li`, `Ng` match inside other text's initials); they still match with a first name. */
const ALONE_MIN = 3;

/**
 * Reads one roster entry: `First [Middle] Last`, `Last, First [Middle]`, with titles and trailing
 * credentials (`, MD`, `RN`) dropped. Undefined when no name is left.
 */
export function parsePersonName(entry: string): PersonName | undefined {
  const parts = entry.split(',').map((p) => p.trim()).filter((p) => p !== '');
  // Trailing parts that are only credentials (`Jane Smith, MD, PhD`).
  while (parts.length > 1 && phraseWords(parts[parts.length - 1]!).every((w) => CREDENTIALS.has(w))) parts.pop();
  const words = (s: string): string[] => {
    const ws = phraseWords(s);
    while (ws.length > 0 && TITLES.has(ws[0]!)) ws.shift();
    while (ws.length > 1 && CREDENTIALS.has(ws[ws.length - 1]!)) ws.pop();
    return ws;
  };
  if (parts.length >= 2) {
    // `Last, First Middle`: the part before the comma is the surname.
    const surname = words(parts[0]!);
    const given = words(parts.slice(1).join(' '));
    if (surname.length === 0) return given.length === 0 ? undefined : { given: given.slice(0, -1), surname: given.slice(-1) };
    return { given, surname };
  }
  const ws = words(parts[0] ?? '');
  if (ws.length === 0) return undefined;
  // A hyphenated surname keeps its parts together: `Ann Smith-Jones` → surname [smith, jones].
  const hyphenated = /(\p{L}+)-(\p{L}+)\s*$/u.exec(parts[0] ?? '');
  const surnameLength = hyphenated !== null ? 2 : 1;
  return { given: ws.slice(0, -surnameLength), surname: ws.slice(-surnameLength) };
}

/**
 * The forms a note may write a person's name in. `givenAlone`: a first name standing alone counts
 * (a record system's patient name: the note is about that patient); staff rosters leave it off,
 * since a colleague's first name alone is too common a word.
 */
export function nameForms(name: PersonName, options: { givenAlone?: boolean } = {}): NameForm[] {
  const { given, surname } = name;
  const forms: NameForm[] = [];
  const add = (words: readonly string[], capital = false): void => {
    if (words.length > 0) forms.push({ words, capital });
  };
  const first = given[0];
  const initials = given.map((g) => g[0]!);
  // The surname as one word too (`SmithJones`), and each part alone.
  const surnames = surname.length > 1 ? [surname, [surname.join('')]] : [surname];
  for (const s of surnames) {
    add(s, true);
    if (first === undefined) continue;
    add([...given, ...s]);
    add([first, ...s]);
    add([initials[0]!, ...s]);
    if (given.length > 1) add([...initials, ...s]);
    add([...s, first]);
    add([...s, initials[0]!]);
  }
  if (surname.length > 1) for (const part of surname) if (part.length >= ALONE_MIN) add([part], true);
  if (options.givenAlone === true) for (const g of given) if (g.length >= ALONE_MIN) add([g], true);
  // A surname shorter than ALONE_MIN alone never matches: drop those forms.
  return dedupe(forms.filter((f) => !(f.words.length === 1 && f.words[0]!.length < ALONE_MIN)));
}

function dedupe(forms: NameForm[]): NameForm[] {
  const seen = new Set<string>();
  return forms.filter((f) => {
    const key = `${f.capital ? '^' : ''}${f.words.join(' ')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
