/**
 * The closed label set. Coarse categories follow the i2b2/PhysioNet de-identification
 * guidelines; subtypes name the HIPAA Safe Harbor identifier kinds so policies and
 * reports can be as fine as a privacy officer needs.
 */
export const LABELS = [
  'NAME',
  'DATE',
  'AGE',
  'LOCATION',
  'ID',
  'CONTACT',
  'PROFESSION',
  'ORGANIZATION',
  'OTHER',
] as const;
export type Label = (typeof LABELS)[number];

export const SUBTYPES = {
  NAME: ['PATIENT', 'DOCTOR', 'RELATIVE', 'USERNAME', 'INITIALS'],
  DATE: ['DATE', 'YEAR', 'TIME', 'HOLIDAY'],
  AGE: ['AGE'],
  LOCATION: ['STREET', 'CITY', 'STATE', 'COUNTRY', 'ZIP', 'HOSPITAL', 'ROOM', 'LOCATION'],
  ID: ['SSN', 'MRN', 'ACCOUNT', 'LICENSE', 'VEHICLE', 'DEVICE', 'HEALTHPLAN', 'NPI', 'DEA', 'CARD', 'IBAN', 'ROUTING', 'BIOID', 'ID'],
  CONTACT: ['PHONE', 'FAX', 'EMAIL', 'URL', 'IP'],
  PROFESSION: ['PROFESSION'],
  ORGANIZATION: ['ORGANIZATION', 'HOSPITAL', 'COMPANY'],
  OTHER: ['OTHER'],
} as const satisfies Record<Label, readonly string[]>;
export type Subtype = (typeof SUBTYPES)[Label][number];

/**
 * Priority used when spans of different labels are merged into one: lower index wins.
 * Structured identifiers come first because their detectors are validated (checksums,
 * libphonenumber) and their surrogates must keep format; free-text labels follow.
 */
export const LABEL_PRIORITY: readonly Label[] = [
  'ID',
  'CONTACT',
  'DATE',
  'AGE',
  'NAME',
  'LOCATION',
  'ORGANIZATION',
  'PROFESSION',
  'OTHER',
];

export function isLabel(value: unknown): value is Label {
  return typeof value === 'string' && (LABELS as readonly string[]).includes(value);
}

export function labelRank(label: Label): number {
  return LABEL_PRIORITY.indexOf(label);
}
