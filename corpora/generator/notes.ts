/**
 * Synthetic annotated clinical notes in the styles the dev notes lack (discharge summaries,
 * progress notes, radiology reports, letters, social work notes) plus ICU nursing notes.
 * The sentences are templates; every PHI value is drawn from `Values` (public packages).
 * Spans are recorded while the text is built, so offsets are exact by construction.
 */
import { type Values, type CaseStyle, applyCase } from './values.js';

export type NerLabel = 'NAME' | 'LOCATION' | 'ORGANIZATION' | 'PROFESSION' | 'DATE' | 'AGE' | 'ID' | 'CONTACT';

export interface AnnotatedSpan {
  start: number;
  end: number;
  label: NerLabel;
}
export interface AnnotatedNote {
  id: string;
  style: string;
  text: string;
  spans: AnnotatedSpan[];
}

class Builder {
  private readonly parts: string[] = [];
  private len = 0;
  readonly spans: AnnotatedSpan[] = [];
  constructor(private readonly style: CaseStyle) {}
  t(s: string): this {
    const c = applyCase(s, this.style);
    this.parts.push(c);
    this.len += c.length;
    return this;
  }
  phi(label: NerLabel, value: string): this {
    const c = applyCase(value, this.style);
    this.spans.push({ start: this.len, end: this.len + c.length, label });
    this.parts.push(c);
    this.len += c.length;
    return this;
  }
  text(): string {
    return this.parts.join('');
  }
}

/** A small template language: `{NAME}` etc. become PHI spans, other text is kept. */
type Slot = 'NAME' | 'DR' | 'CITY' | 'STATE' | 'HOSP' | 'WARD' | 'ORG' | 'PROF' | 'DATE' | 'YEAR' | 'PHONE' | 'EMAIL' | 'URL' | 'IP' | 'ID' | 'AGE' | 'STREET' | 'ZIP' | 'FIRST' | 'LAST' | 'HOLIDAY' | 'COUNTRY';

function fill(b: Builder, v: Values, template: string): void {
  const re = /\{([A-Z]+)\}/g;
  let last = 0;
  for (const m of template.matchAll(re)) {
    b.t(template.slice(last, m.index));
    slot(b, v, m[1] as Slot);
    last = m.index + m[0].length;
  }
  b.t(template.slice(last));
}

function slot(b: Builder, v: Values, s: Slot): void {
  switch (s) {
    case 'NAME': b.phi('NAME', v.personName()); return;
    case 'FIRST': b.phi('NAME', v.firstName()); return;
    case 'LAST': b.phi('NAME', v.lastName()); return;
    case 'DR': b.phi('NAME', v.chance(0.6) ? v.lastName() : v.personName()); return;
    case 'CITY': b.phi('LOCATION', v.city()); return;
    // A state alone is no Safe Harbor identifier, nor tagged in the PhysioNet notes.
    case 'STATE': b.t(v.state()); return;
    case 'COUNTRY': b.phi('LOCATION', v.country()); return;
    case 'HOSP': {
      const h = v.hospitalParts();
      b.phi('LOCATION', h.name);
      if (h.generic !== '') b.t(` ${h.generic}`);
      return;
    }
    case 'WARD': b.phi('LOCATION', v.ward()); return;
    case 'STREET': b.phi('LOCATION', v.street()); return;
    case 'ZIP': b.phi('LOCATION', v.zip()); return;
    case 'ORG': b.phi('ORGANIZATION', v.organization()); return;
    case 'PROF': b.phi('PROFESSION', v.profession()); return;
    case 'DATE': b.phi('DATE', v.date()); return;
    case 'YEAR': b.phi('DATE', String(v.year())); return;
    case 'HOLIDAY': b.phi('DATE', v.holiday()); return;
    case 'PHONE': b.phi('CONTACT', v.phone()); return;
    case 'EMAIL': b.phi('CONTACT', v.email()); return;
    case 'URL': b.phi('CONTACT', v.url()); return;
    case 'IP': b.phi('CONTACT', v.ip()); return;
    case 'ID': b.phi('ID', v.identifier()); return;
    case 'AGE': b.phi('AGE', v.oldAge()); return;
  }
}

/** Clinical sentences without PHI: numbers, times, eponyms and drug names that must stay. */
const FILLER = [
  'Pt alert and oriented x3, follows commands, MAE.', 'Lungs clear bilaterally, diminished at bases.',
  'HR 88-102 NSR with occasional PVCs, BP 110-130/60s.', 'Afebrile, Tmax 99.1.', 'Abd soft, nontender, +BS.',
  'Foley draining clear yellow urine, 40-60cc/hr.', 'Continues on heparin gtt at 900 units/hr, PTT 62.',
  'Swan-Ganz catheter in place, CI 2.4.', 'Glasgow coma scale 14.', 'Hx of Parkinson\'s disease and Alzheimer\'s dementia.',
  'Received Lasix 40mg IV with good diuresis.', 'K 3.6 repleted with 40 mEq KCl.', 'ABG 7.38/42/96/24.',
  'Vent settings AC 500x14, PEEP 5, FiO2 40%.', 'Sats 95-98% on 4L NC.', 'Tolerating clear liquids, advance diet as tolerated.',
  'Skin intact, heels elevated.', 'Pain controlled with morphine 2mg IV q4h prn.', 'Wound with scant serous drainage, dsg changed.',
  'Chest x-ray shows mild pulmonary edema.', 'Hct stable at 29.4, no transfusion needed.', 'Blood cultures x2 pending.',
  'Vancomycin and Zosyn continued for presumed pneumonia.', 'Insulin sliding scale per protocol, BS 140-180.',
  'Turned and repositioned q2h.', 'OOB to chair with assist x2.', 'NPO after midnight for procedure.',
  'Propofol gtt titrated to RASS -1.', 'Neuro checks q1h, pupils equal and reactive.', 'Will continue to monitor closely.',
  'EKG unchanged from prior.', 'Echo shows EF 35% with mild MR.', 'CT head negative for acute process.',
  'Plan to wean vent as tolerated.', 'Nitro gtt off at 0600.', 'Lopressor 25mg PO BID started.', 'Coumadin held for INR 3.2.',
  'Dilaudid PCA in use with good effect.', 'Levophed weaned off this shift.', 'Patient is a 67 year old man with CHF and COPD.',
  'He is 54 yo and lives with his family.', 'She is a 72 y/o female with ESRD on HD MWF.', 'Bed 12, room 4.',
  'Medicare and Medicaid benefits discussed.', 'Stable overnight, no acute events.', 'Apgar 8 and 9.',
  'Cardiology consulted, recommends cath in am.', 'Social work following.', 'PT/OT evaluation completed.',
  'Full code.', 'DNR/DNI confirmed with family.', 'Left IJ triple lumen placed, tip in SVC per CXR.',
]
  .map((s) => s);

function filler(b: Builder, v: Values, n: number, sep = ' '): void {
  for (let i = 0; i < n; i++) b.t(v.pick(FILLER) + sep);
}

const NURSING_PHI = [
  'DR {DR} AWARE.', 'Spoke with Dr. {DR} re: plan.', 'Per Dr {DR}, will hold heparin.', '{DR} notified of K 3.1.',
  'Wife {NAME} in to visit, updated by RN.', 'Daughter {FIRST} called, can be reached at {PHONE}.', 'Son {NAME} ({PHONE}) is HCP.',
  'Pt transferred to {WARD} at 1500.', 'Plan to transfer to {HOSP} tomorrow.', 'Pt d/c\'d to {HOSP} rehab.',
  'Admitted from {HOSP} on {DATE}.', 'S/P CABG {YEAR}.', 'Last seen in clinic {DATE}.', 'Pt lives in {CITY} with husband {FIRST}.',
  'Pager {PHONE}.', 'Family meeting held {DATE} with Dr. {DR} and {NAME}, RN.', 'Cath on {DATE}: LAD 90%.',
  'Sister {NAME} from {CITY}, {STATE} called.', 'Beeper # {PHONE}.', 'Case discussed with {NAME}, NP.',
  'Pt states "I\'m at {HOSP}, it\'s {DATE}."', 'Daughter {NAME} cell# {PHONE}, home# {PHONE}.', 'Extubated {DATE}.',
  'Per {NAME}, MD, continue current plan.', 'Husband {FIRST} {LAST} at bedside.', 'Pt is a {AGE} yo female.',
  'Brought in by EMS from {STREET}, {CITY}.', 'Pt works as a {PROF}.', 'Retired {PROF} from {CITY}.', 'Over {HOLIDAY} pt fell at home.',
];

function nursing(b: Builder, v: Values): void {
  if (v.chance(0.4)) fill(b, v, v.pick(['{DATE} 7P-7A\n', 'NPN {DATE} 0700-1900\n', 'Nursing Progress Note\n', 'MICU NURSING NOTE {DATE}\n']));
  const systems = ['NEURO', 'CV', 'RESP', 'PULM', 'GI', 'GU', 'ID', 'SKIN', 'ENDO', 'SOCIAL', 'PLAN', 'A/P', 'D', 'A', 'R', 'O'];
  const n = v.int(3, 9);
  for (let i = 0; i < n; i++) {
    b.t(`${v.pick(systems)}${v.pick([': ', '= ', ':', ' - ', '; '])}`);
    const k = v.int(1, 4);
    for (let j = 0; j < k; j++) {
      if (v.chance(0.35)) fill(b, v, `${v.pick(NURSING_PHI)} `);
      else filler(b, v, 1);
    }
    b.t(v.pick(['\n', '\n', ' \n ', '  ', '\n\n']));
  }
}

function discharge(b: Builder, v: Values): void {
  fill(b, v, 'DISCHARGE SUMMARY\n\nPatient: {NAME}   MRN: {ID}\nAdmission Date: {DATE}   Discharge Date: {DATE}\n');
  fill(b, v, v.pick(['Date of Birth: {DATE}   Sex: F\n', 'DOB: {DATE}\n', 'Age: {AGE}\n', '']));
  fill(b, v, 'Attending: {NAME}, MD\nService: Medicine\n\nHISTORY OF PRESENT ILLNESS:\n');
  fill(b, v, v.pick(['Mr. {LAST} is a 68 year old man who presented to {HOSP} on {DATE} with chest pain. ', 'Ms. {LAST} is a {AGE} year old woman transferred from {HOSP} with sepsis. ', 'The patient was referred by Dr. {NAME} of {HOSP}. ']));
  filler(b, v, v.int(2, 5));
  b.t('\n\nHOSPITAL COURSE:\n');
  for (let i = 0; i < v.int(2, 5); i++) {
    if (v.chance(0.4)) fill(b, v, v.pick(['On {DATE} the patient underwent cardiac catheterization by Dr. {DR}. ', 'Seen by {NAME} from cardiology on {DATE}. ', 'Case reviewed with Dr. {DR} at {HOSP}. ']));
    filler(b, v, v.int(1, 3));
  }
  b.t('\n\nDISPOSITION: ');
  fill(b, v, v.pick(['Discharged to {HOSP}.', 'Home with services from {ORG}.', 'Discharged home to {STREET}, {CITY}, {STATE} {ZIP}.']));
  fill(b, v, v.pick(['\n\nFOLLOW-UP: Dr. {NAME} at {HOSP}, {PHONE}, on {DATE}.\n', '\n\nFollow up with {NAME}, NP in 2 weeks; call {PHONE} with questions.\n']));
  fill(b, v, v.pick(['\nDictated by: {NAME}, MD  {DATE}\n', '\nElectronically signed by {NAME}, MD on {DATE} at 14:32\n', '\ncc: {NAME}, MD\n']));
}

function radiology(b: Builder, v: Values): void {
  fill(b, v, v.pick(['EXAM: CT CHEST WITH CONTRAST\n', 'EXAMINATION: MRI BRAIN W/WO\n', 'CHEST (PORTABLE AP)\n', 'US ABDOMEN COMPLETE\n']));
  fill(b, v, 'DATE: {DATE}   ACCESSION: {ID}\nPATIENT: {NAME}   MRN: {ID}\n');
  fill(b, v, 'REFERRING PHYSICIAN: {NAME}\n\nCLINICAL HISTORY: ');
  filler(b, v, 1);
  fill(b, v, v.pick(['\n\nCOMPARISON: {DATE}.\n\nFINDINGS: ', '\n\nCOMPARISON: Outside study from {HOSP} dated {DATE}.\n\nFINDINGS: ', '\n\nCOMPARISON: None.\n\nFINDINGS: ']));
  b.t(v.pick(['There is a 1.2 cm nodule in the right upper lobe. ', 'No acute intracranial hemorrhage. ', 'Small bilateral pleural effusions. ', 'The liver is normal in size and echotexture. ']));
  filler(b, v, v.int(1, 3));
  b.t('\n\nIMPRESSION:\n1. ');
  b.t(v.pick(['Stable pulmonary nodule; recommend follow-up CT in 3 months.', 'No acute process.', 'Findings consistent with pneumonia.']));
  fill(b, v, v.pick(['\n\nFindings discussed with Dr. {DR} by telephone on {DATE} at 10:15.\n', '\n\nDictated by {NAME}, MD. Transcribed {DATE}.\n', '\n']));
}

function letter(b: Builder, v: Values): void {
  fill(b, v, v.pick(['{HOSP}\n', '{ORG}\n']));
  fill(b, v, '{STREET}\n{CITY}, {STATE} {ZIP}\n');
  fill(b, v, v.pick(['Tel {PHONE}  Fax {PHONE}\n', 'Phone: {PHONE}\nEmail: {EMAIL}\n', 'www: {URL}\n']));
  fill(b, v, '\n{DATE}\n\nDear Dr. {LAST},\n\nRe: {NAME}, DOB {DATE}, MRN {ID}\n\n');
  fill(b, v, v.pick(['Thank you for referring your patient, who I saw in clinic on {DATE}. ', 'I had the pleasure of seeing your patient today at {HOSP}. ']));
  filler(b, v, v.int(2, 5));
  fill(b, v, v.pick(['She works as a {PROF} at {ORG}. ', 'He is a retired {PROF} and lives in {CITY}. ', '']));
  fill(b, v, v.pick(['Please contact me at {EMAIL} or {PHONE}.', 'Results are available on the portal at {URL}.', 'We will see him again on {DATE}.']));
  fill(b, v, v.pick(['\n\nSincerely,\n\n{NAME}, MD\n{PROF}\n', '\n\nBest regards,\n{NAME}\n', '\n\nYours,\n{NAME}, PhD\n']));
}

function progress(b: Builder, v: Values): void {
  fill(b, v, v.pick(['Progress Note {DATE}\n', 'MEDICINE PROGRESS NOTE - HD#4\n', 'Interval note, {DATE}\n']));
  b.t('S: ');
  filler(b, v, v.int(1, 2));
  fill(b, v, v.pick(['Patient\'s wife {FIRST} reports he slept well. ', 'Seen with Dr. {DR}. ', '']));
  b.t('\nO: ');
  filler(b, v, v.int(2, 4));
  b.t('\nA/P: ');
  filler(b, v, v.int(1, 3));
  fill(b, v, v.pick(['Appreciate {HOSP} cardiology input. ', 'Will discuss with Dr. {DR} tomorrow. ', 'Outpatient labs sent to {ORG}. ', 'Pt\'s ID {ID} verified. ']));
  fill(b, v, v.pick(['\n{NAME}, MD pager {PHONE}\n', '\n-- {NAME}, PGY-2\n', '\n']));
}

function socialWork(b: Builder, v: Values): void {
  fill(b, v, 'Social Work Note\n');
  fill(b, v, v.pick([
    'Pt is a {PROF} employed by {ORG} in {CITY}. ',
    'Pt lives at {STREET} in {CITY}, {STATE} with wife {NAME}. ',
    'Pt emigrated from {COUNTRY} in {YEAR} and works as a {PROF}. ',
  ]));
  fill(b, v, v.pick(['HCP is son {NAME}, tel {PHONE}. ', 'Contact: {NAME} ({PHONE}), email {EMAIL}. ', 'Daughter {FIRST} lives in {CITY}. ']));
  filler(b, v, v.int(1, 3));
  fill(b, v, v.pick(['Referral made to {ORG}. ', 'Insurance: {ORG}, member ID {ID}. ', 'SSN {ID} on file. ']));
  fill(b, v, '\n{NAME}, LICSW  x{PHONE}\n');
}

const STYLES: Record<string, (b: Builder, v: Values) => void> = {
  nursing, discharge, radiology, letter, progress, social: socialWork,
};
const STYLE_WEIGHTS: [string, number][] = [['nursing', 3], ['discharge', 2], ['radiology', 1.5], ['letter', 1.5], ['progress', 2], ['social', 1]];

export function generateNote(v: Values, id: string): AnnotatedNote {
  const r = v.f.number.float({ min: 0, max: 1 });
  const caseStyle: CaseStyle = r < 0.3 ? 'upper' : r < 0.4 ? 'lower' : 'mixed';
  const total = STYLE_WEIGHTS.reduce((a, [, w]) => a + w, 0);
  let x = v.f.number.float({ min: 0, max: total });
  let style = 'nursing';
  for (const [s, w] of STYLE_WEIGHTS) {
    x -= w;
    if (x <= 0) { style = s; break; }
  }
  const b = new Builder(caseStyle);
  STYLES[style]!(b, v);
  return { id, style, text: b.text(), spans: b.spans };
}
