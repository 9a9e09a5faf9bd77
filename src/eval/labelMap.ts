import { isLabel, type Label } from '../core/labels.js';

/**
 * Gold corpora name their types in many ways. This maps the common ones onto our coarse labels
 * (the gold type itself is kept as the span's subtype). Keys are upper-cased with everything but
 * letters and digits removed, so `LOCATION-OTHER`, `Location_Other` and `locationother` agree.
 *
 * Sources: i2b2 2014 de-identification guidelines (categories and types), i2b2 2006,
 * PhysioNet deid gold (PTName, HCPName, RelativeProxyName, DateYear, ...), TAB (ECHR) and
 * Presidio entity names. HOSPITAL follows i2b2 2014, where it is a LOCATION type.
 */
const EXTERNAL: Readonly<Record<string, Label>> = {
  // names
  PATIENT: 'NAME', DOCTOR: 'NAME', USERNAME: 'NAME', PERSON: 'NAME', PER: 'NAME',
  PTNAME: 'NAME', PTNAMEINITIAL: 'NAME', HCPNAME: 'NAME', RELATIVEPROXYNAME: 'NAME', RELATIVE: 'NAME', INITIALS: 'NAME',
  // locations
  HOSPITAL: 'LOCATION', ROOM: 'LOCATION', DEPARTMENT: 'LOCATION', STREET: 'LOCATION', CITY: 'LOCATION',
  STATE: 'LOCATION', COUNTRY: 'LOCATION', ZIP: 'LOCATION', LOCATIONOTHER: 'LOCATION', LOC: 'LOCATION', GPE: 'LOCATION',
  // organisations
  ORG: 'ORGANIZATION', COMPANY: 'ORGANIZATION',
  // dates
  DATEYEAR: 'DATE', DATETIME: 'DATE', YEAR: 'DATE', HOLIDAY: 'DATE', TIME: 'DATE',
  // contacts
  PHONE: 'CONTACT', FAX: 'CONTACT', EMAIL: 'CONTACT', URL: 'CONTACT', IPADDR: 'CONTACT', IPADDRESS: 'CONTACT', IP: 'CONTACT',
  PHONENUMBER: 'CONTACT', EMAILADDRESS: 'CONTACT',
  // identifiers
  SSN: 'ID', USSSN: 'ID', MEDICALRECORD: 'ID', MRN: 'ID', HEALTHPLAN: 'ID', ACCOUNT: 'ID', LICENSE: 'ID', VEHICLE: 'ID',
  DEVICE: 'ID', BIOID: 'ID', IDNUM: 'ID', CODE: 'ID', CREDITCARD: 'ID', IBANCODE: 'ID', MEDICALLICENSE: 'ID',
  // other
  DEM: 'OTHER', QUANTITY: 'OTHER', MISC: 'OTHER',
};

export function normalizeTypeName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Our label for a gold type name, or undefined when the name is unknown. */
export function mapGoldLabel(name: string): Label | undefined {
  if (isLabel(name)) return name;
  const key = normalizeTypeName(name);
  if (isLabel(key)) return key;
  return EXTERNAL[key];
}
