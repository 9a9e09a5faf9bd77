import { Faker, en } from '@faker-js/faker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Deterministic synthetic notes for scale tests and benchmarks: note `i` depends only on
 * (`seed`, `i`), so any slice can be rebuilt without the others and two machines generate the
 * same bytes. Every value is fake (faker with a fixed seed); nothing comes from real notes.
 * The notes carry the structured PHI the rules find (dates, phones, MRNs, emails, SSNs, ages)
 * plus names and places, so outputs really differ from inputs.
 */

export type NoteSize = 'small' | 'normal';

const faker = new Faker({ locale: [en] });

const OPENERS = [
  'Nursing progress note.',
  'ICU progress note, night shift.',
  'Discharge summary.',
  'Radiology report: chest X-ray.',
  'Social work note.',
];

const BODY = [
  'Vitals stable overnight, BP 122/78, HR 74, T 98.4. Tolerating diet, ambulating with assistance.',
  'Metformin 500 mg PO BID continued; lisinopril 10 mg daily held for low BP.',
  'Lungs clear bilaterally, no edema. Plan to wean oxygen to 2 L nasal cannula as tolerated.',
  'Labs: Na 138, K 4.1, Cr 0.9, WBC 7.2. Pain controlled with acetaminophen 650 mg q6h PRN.',
  'Family meeting held; questions answered. Will continue current plan and reassess in the morning.',
];

function pick<T>(items: readonly T[]): T {
  return items[faker.number.int({ min: 0, max: items.length - 1 })]!;
}

function usDate(d: Date): string {
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

function phone(): string {
  return `(${faker.number.int({ min: 201, max: 989 })}) ${faker.number.int({ min: 200, max: 999 })}-${String(faker.number.int({ min: 0, max: 9999 })).padStart(4, '0')}`;
}

/** Note `i` of the corpus `seed` (the same arguments always give the same text). */
export function makeNote(i: number, seed = 42, size: NoteSize = 'normal'): string {
  faker.seed([seed, i]);
  const patient = faker.person.fullName();
  const doctor = faker.person.lastName();
  const admitted = usDate(faker.date.between({ from: '2015-01-01T00:00:00Z', to: '2024-12-31T00:00:00Z' }));
  const age = faker.number.int({ min: 19, max: 89 });
  const mrn = faker.string.numeric({ length: 8, allowLeadingZeros: false });
  if (size === 'small') {
    return `${patient}, ${age} yo, seen ${admitted} by Dr. ${doctor}. Call ${phone()}. MRN ${mrn}.\n`;
  }
  const lines = [
    `${pick(OPENERS)} Patient: ${patient}. MRN: ${mrn}.`,
    `${age} year old admitted ${admitted} to ${faker.location.city()} General Hospital under Dr. ${doctor}.`,
    pick(BODY),
    `Daughter ${faker.person.firstName()} can be reached at ${phone()} or ${faker.internet.email().toLowerCase()}.`,
    pick(BODY),
    `Home address: ${faker.location.streetAddress()}, ${faker.location.city()}, ${faker.location.state({ abbreviated: true })} ${faker.location.zipCode('#####')}.`,
    `Follow-up on ${usDate(faker.date.soon({ days: 60, refDate: '2025-01-01T00:00:00Z' }))} with Dr. ${faker.person.lastName()}.`,
  ];
  if (i % 3 === 0) lines.push(`SSN on file 078-05-${String(1000 + (i % 9000)).padStart(4, '0')}; insurance verified.`);
  return `${lines.join('\n')}\n`;
}

/** Writes notes `0 … count-1` as `<dir>/<bucket>/note-<i>.txt` (100 per folder) and returns the paths. */
export function writeNoteTree(dir: string, count: number, seed = 42, size: NoteSize = 'normal'): string[] {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const bucket = join(dir, `b${String(Math.floor(i / 100)).padStart(4, '0')}`);
    if (i % 100 === 0) mkdirSync(bucket, { recursive: true });
    const path = join(bucket, `note-${String(i).padStart(6, '0')}.txt`);
    writeFileSync(path, makeNote(i, seed, size));
    paths.push(path);
  }
  return paths;
}

/** The JSONL line for note `i` (`{"id", "text"}`), with its newline. */
export function noteLine(i: number, seed = 42, size: NoteSize = 'normal'): string {
  return `${JSON.stringify({ id: `n${i}`, text: makeNote(i, seed, size) })}\n`;
}
