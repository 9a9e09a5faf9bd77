import { beforeAll, describe, expect, it } from 'vitest';
import type { DictionaryData } from '../../../src/detect/dictionaries/index.js';
import { detect, dictionaryData, flaggedAs, flaggedText } from './helpers.js';

// Invented people only: nothing here comes from annotated notes.
let data: DictionaryData;
beforeAll(async () => {
  data = await dictionaryData();
});

describe('dictionaries: names with a cue', () => {
  it.each([
    // titles, in every case style, with words that are also English words
    ['Dr. Okafor aware of K 3.1, repleted.', ['Okafor']],
    ['K 3.1. DR OKAFOR NOTIFIED AND KCL GIVEN.', ['OKAFOR']],
    ['k 3.1. dr okafor notified and kcl given.', ['okafor']],
    ['Seen by Dr. Hannah Whitfield this morning.', ['Hannah Whitfield']],
    ['Wheezing noted, Dr. Green paged.', ['Green']],
    ['Dr.Brennan at bedside for the procedure.', ['Brennan']],
    ['Consent obtained by Dr. L. Brennan at 10:20.', ['L. Brennan']],
    ['Drs Patel and Okafor aware of the labs.', ['Patel', 'Okafor']],
    ['Mrs. Kowalski resting comfortably in bed.', ['Kowalski']],
    ['Phone update given to mr kowalski tonight.', ['kowalski']],
    // relatives and clinicians
    ['Social: wife Brenda at bedside most of the day.', ['Brenda']],
    ['SOCIAL: WIFE BRENDA AT BEDSIDE MOST OF THE DAY.', ['BRENDA']],
    ['social: dtr brenda called and was updated.', ['brenda']],
    ['His daughter, Lorraine Fitzgerald, called twice.', ['Lorraine Fitzgerald']],
    ['Family in: Gerald Hobbs (son) updated by phone.', ['Gerald Hobbs']],
    ['Contacts: Gerald Hobbs - son - cell in chart.', ['Gerald Hobbs']],
    ['Spoke with wife Mary-Jean at length.', ['Mary-Jean']],
    ['Case discussed with attending Ramirez at the bedside.', ['Ramirez']],
    ['Insulin changed per NP Delgado this evening.', ['Delgado']],
    // signatures before a credential
    ['Tolerating feeds at goal.\nKaren Lutz, RN\n', ['Karen Lutz']],
    ['NEBS GIVEN, BS CLEAR.\nT. NGUYEN RRT\n', ['T. NGUYEN']],
    ['nebs given, bs clear.\nmaureen o. dwyer rn\n', ['maureen o. dwyer']],
    ['Tolerating feeds at goal.\n\nbrenda lutz rn\n', ['brenda lutz']],
    // initials and bare given names
    ['Z. Okafor in to strip the chest tubes.', ['Z. Okafor']],
    ['K 5.9. E. OKAFOR AWARE, KAYEXALATE GIVEN.', ['E. OKAFOR']],
    // names joined to a found one, weak cues with curated names
    ['Sons Gerald, Ivan and Paul in to visit.', ['Gerald', 'Ivan', 'Paul']],
    ['Plan reviewed with Thomas and the team.', ['Thomas']],
    // a form label, and a given name with a surname
    ['NAME: OKAFOR, BRENDA\nDOB: see chart', ['OKAFOR', 'BRENDA']],
    ['Her maiden name is Kowalski.', ['Kowalski']],
    ['Patient: Okafor, Mary-Jean   DOB: see chart', ['Okafor', 'Mary-Jean']],
    ['Mark Okafor called about the visit.', ['Mark Okafor']],
    // possessive left outside the span, MS as a title only before a name, hyphenated verbs stop a name
    ["Ms. Kowalski's speech is still garbled.", ['Kowalski']],
    ['MS. OKAFOR IN TO SEE PT.', ['OKAFOR']],
    ['DR. OKAFOR CALLED-BACK, NEW ORDERS WRITTEN.', ['OKAFOR']],
    // names next to cues that vouch together: nurse + state-like given name, per + signature, initial + ordered
    ['ICU NURSE GEORGIA OKAFOR CALLED.', ['GEORGIA OKAFOR']],
    ['Explained to family by Dr Will Okafor (attending).', ['Will Okafor']],
    ['TUBE OK TO USE PER DENNIS OKAFOR NP TODAY.', ['DENNIS OKAFOR']],
    ['BP SOFT, J OKAFOR ORDERED NEO.', ['J OKAFOR']],
    ['pedal pulses weak. brenda zelinski aware.', ['brenda zelinski']],
    // one listed surname before notified, letters (Re:, sign-offs), residents, double-barrelled names
    ['VANCO GIVEN. SCHOWALTER NOTIFIED OF K 3.1.', ['SCHOWALTER']],
    ['Re: Okafor, DOB 1/2/1950, MRN on file', ['Okafor']],
    ['Please call with questions.\n\nBest regards,\nBrenda Okafor\n', ['Brenda Okafor']],
    ['Labs sent.\n-- Okafor, PGY-2\n', ['Okafor']],
    ['SON OKAFOR-LUTZ IS HCP.', ['OKAFOR-LUTZ']],
    // a later mention of a name a cue found; a common word found after a title does not repeat
    ['Dr. Okafor aware. Plan per Okafor: diurese.', ['Okafor', 'Okafor']],
    ['Dr. Green aware. Green sputum suctioned.', ['Green']],
    ['Message left for Brenda Richards about the visit.', ['Brenda Richards']],
    ['Family meeting held with Natalie and the team today.', ['Natalie']],
  ])('flags the name in %j', (text, expected) => {
    expect(flaggedAs('NAME', text, data)).toEqual(expected);
  });
});

describe('dictionaries: no name where there is none', () => {
  it.each([
    // eponyms, devices and drugs
    'Foley catheter draining clear yellow urine.',
    'FOLEY TO GRAVITY, DRAINING WELL.',
    'foley draining clear yellow urine.',
    'Swan Ganz catheter removed this morning.',
    'PMH: Parkinson disease, CHF.',
    'Dilaudid 1 mg IV given for pain with good effect.',
    'Bair Hugger removed, temp 98.6.',
    'Passy Muir valve not attempted today.',
    // English words that are also given names, in ordinary use
    'Will continue to monitor closely.',
    'WILL CONTINUE TO MONITOR CLOSELY.',
    'will continue to monitor closely.',
    'May need reintubation if sats drop.',
    'Hope to wean the vent tomorrow.',
    'Bill sent to the insurer.',
    'Mark the site with a skin marker.',
    'Jack up the head of the bed.',
    'Grace period for the morning meds.',
    // clinical abbreviations in every case style
    'PT SEEN BY MD, AWARE OF LABS.',
    'RIGHT IJ PA LINE INTACT.',
    'Sats 95% on 4L NP, PA line removed.',
    'A&O x3, MAE, follows commands.',
    'SaO2 98% on FM. Tol PSV well overnight.',
    'Soc: family in to visit this evening.',
    'Pos BS, no stool. Sm amt of drainage.',
    'IABP in R groin, PA cath in L groin.',
    'IABP IN R GROIN, PA CATH IN L GROIN.',
    'Neo titrated to 2 mcg, Levo off.',
    // role words with no name after them
    'Wife at bedside, son called for an update.',
    'DAUGHTER CALLED AND WAS UPDATED BY RN.',
    'daughter has called, will visit tomorrow.',
    'Spoke with house staff regarding the plan.',
    'Attending aware of the events overnight.',
    'p.o. meds given at 9 a.m. as ordered.',
    'HR in the 90s. He remains afebrile.',
    // weak cues before ordinary words and shorthand
    'NS bolus given with little effect.',
    'NS BOLUS GIVEN WITH LITTLE EFFECT.',
    'ogt to lws with brown drainage.',
    'NSR with PACs, with inc in HR overnight.',
    'Breath sounds clear with bil rhonchi.',
    'Spoke to med team at length.',
    // services before aware/notified, letters without names, tubes after a letter
    'Pharmacy notified of the dose change.',
    'Re: plan for tomorrow, see below.',
    'EP CONSULT RE:AV NODE ABLATION.',
    'Interpreter: daughter,russian speaking.',
    'Call with questions.\n\nBest regards,\nthe ICU team\n',
    'Thanks,\nNursing\n',
    'TEAM AWARE OF LABS.',
    'Cardiology aware, plan to cath.',
    'Renal notified of K 6.1.',
    'Neuro aware of the change.',
    'J TUBE TO GRAVITY, G TUBE CLAMPED.',
    // contractions, countries, titles used as ordinary words
    "Hi, I'm writing about the visit; we'll call back.",
    'Family flew in from Ireland and Cyprus yesterday.',
    'Two doctors working nights reviewed the film.',
    'Did not miss any doses today.',
    // MR as mitral regurgitation before the next sentence
    'Echo shows EF 35% with mild MR. Abd soft, nontender.',
    'ECHO SHOWS EF 35% WITH MILD MR. LUNGS CLEAR BILATERALLY.',
    'echo shows ef 35% with mild mr. blood cultures x2 pending.',
    // MS as mental status, states as places
    'MS INCISION CDI, DSD CHANGED.',
    'A/P: MS STILL FAR FROM BASELINE.',
    'Neuro: MS waxing and waning.',
    'Her sister in Illinois will visit.',
    // capitalised pairs that are devices or eponyms
    'Jackson Pratt drain to bulb suction.',
    'Name of the medication was unclear.',
    'Patient name band checked.',
    'Patient Grace period for the meds ended.',
    'Pt Will need rehab screening.',
  ])('flags no name in %j', (text) => {
    expect(flaggedAs('NAME', text, data)).toEqual([]);
  });
});

describe('dictionaries: span facts', () => {
  it('gives each span a dict/ source, a subtype from the cue and an explanation without note text', () => {
    const text = 'Dr. Okafor aware. Wife Brenda updated.\nKaren Lutz, RN\n';
    const spans = detect(text, data);
    expect(spans.map((s) => [text.slice(s.start, s.end), s.source, s.subtype])).toEqual([
      ['Okafor', 'dict/name-title', 'DOCTOR'],
      ['Brenda', 'dict/name-relative', 'RELATIVE'],
      ['Karen Lutz', 'dict/name-credential', 'DOCTOR'],
    ]);
    for (const s of spans) {
      expect(s.explanation).toBeTruthy();
      expect(s.explanation!.toLowerCase()).not.toContain(text.slice(s.start, s.end).toLowerCase());
    }
  });

  it('finds nothing in text without words', () => {
    expect(flaggedText('', data)).toEqual([]);
    expect(flaggedText('120/80 98.6 4L 3+ ---', data)).toEqual([]);
  });
});
