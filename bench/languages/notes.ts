/**
 * Invented clinical notes in Spanish and German, for measuring what the English-built detectors
 * do with other languages (README "Languages"; bench/languages/bench-languages.ts and
 * test/corpora/languages.test.ts). Every name, date, number, address and institution here is
 * made up. PHI is marked inline as `{{LABEL|text}}`; `parseMarked` turns that into text + spans.
 */

import type { Label } from '../../src/core/labels.js';

export interface MarkedNote {
  readonly id: string;
  readonly text: string;
  readonly spans: readonly { readonly start: number; readonly end: number; readonly label: Label }[];
}

/** `{{NAME|Lucía Ferrandis}}` → the text without markup and the span it covers. */
export function parseMarked(id: string, marked: string): MarkedNote {
  const spans: { start: number; end: number; label: Label }[] = [];
  let text = '';
  let last = 0;
  for (const m of marked.matchAll(/\{\{([A-Z]+)\|([^}]+)\}\}/g)) {
    text += marked.slice(last, m.index);
    spans.push({ start: text.length, end: text.length + m[2]!.length, label: m[1] as Label });
    text += m[2]!;
    last = m.index + m[0].length;
  }
  return { id, text: text + marked.slice(last), spans };
}

export const SPANISH: readonly string[] = [
  `NOTA DE EVOLUCIÓN
Paciente: {{NAME|Lucía Ferrandis Ortuño}}, {{AGE|67}} años. NHC {{ID|4471902}}.
Ingresa el {{DATE|12/03/2023}} en el {{LOCATION|Hospital Comarcal de Valdeoliva}} por disnea de esfuerzo y edemas en miembros inferiores.
Antecedentes: hipertensión arterial, diabetes mellitus tipo 2, fibrilación auricular anticoagulada.
Exploración: consciente y orientada, crepitantes bibasales, sin signos de trabajo respiratorio.
Plan: furosemida intravenosa, control de diuresis y peso diario. Avisar a su hija {{NAME|Marta}} al {{CONTACT|612 487 309}}.
Firmado: Dra. {{NAME|Inmaculada Berrocal}}, Medicina Interna.`,
  `INFORME DE ALTA
Nombre: {{NAME|Ramón Íñiguez Salcedo}}   DNI: {{ID|48213977K}}
Fecha de ingreso: {{DATE|2 de febrero de 2024}}   Fecha de alta: {{DATE|9 de febrero de 2024}}
Diagnóstico principal: neumonía adquirida en la comunidad del lóbulo inferior derecho.
Evolución favorable con amoxicilina y ácido clavulánico; afebril desde el tercer día.
Tratamiento al alta: completar antibiótico siete días, paracetamol si fiebre.
Revisión en consultas externas de Neumología con el Dr. {{NAME|Arcadio Melgarejo}} el {{DATE|4 de marzo}}.
Domicilio: {{LOCATION|Calle del Olivar Viejo 14, 3º B}}, {{LOCATION|41710}} {{LOCATION|Lebrija}}.`,
  `URGENCIAS - TRIAJE
Mujer de {{AGE|34}} años traída por su pareja, {{NAME|Josué Carbonell}}, tras caída casual en domicilio.
Refiere dolor en muñeca izquierda, deformidad en dorso de tenedor. Sin pérdida de conocimiento.
Constantes: TA 128/76, FC 92, SatO2 98 %, temperatura 36,4.
Radiografía: fractura de radio distal desplazada. Se realiza reducción cerrada y férula.
Citada en traumatología el {{DATE|18/05/2023}}. Teléfono de contacto {{CONTACT|+34 699 210 455}}.
Médico responsable: {{NAME|Begoña Urrutia}}.`,
  `CONSULTA TELEFÓNICA
Llama {{NAME|Consuelo Arrieta}}, esposa del paciente {{NAME|Fermín Goicoechea Lasa}} (SIP {{ID|30917724}}).
Comenta que desde el {{DATE|lunes 6 de noviembre}} presenta tos productiva y febrícula.
No disnea ni dolor torácico. Se recomienda hidratación, antitérmicos y valoración presencial si empeora.
Correo para enviar informes: {{CONTACT|fgoicoechea.lasa@correo-inventado.es}}.
Centro de salud de referencia: {{LOCATION|Centro de Salud Peñaserrada}}.`,
  `INFORME RADIOLÓGICO
Paciente: {{NAME|Ainhoa Villalustre}}   Fecha de nacimiento: {{DATE|23/08/1951}}
Exploración: TC de tórax con contraste, realizada el {{DATE|30/01/2024}}.
Hallazgos: nódulo pulmonar espiculado de 14 mm en segmento apical del lóbulo superior derecho.
No se observan adenopatías mediastínicas significativas. Pequeño derrame pleural izquierdo.
Conclusión: hallazgos sugestivos de neoplasia primaria; se recomienda PET-TC y valoración en comité.
Radiólogo: Dr. {{NAME|Eusebio Carranza}}, {{LOCATION|Clínica San Telmo de Almendralejo}}.`,
  `CARTA DE DERIVACIÓN
Estimado colega: le remito a {{NAME|Purificación Zubieta}}, de {{AGE|72}} años, por deterioro cognitivo progresivo
de dos años de evolución, con pérdida de memoria reciente y desorientación temporal.
Vive sola en {{LOCATION|Villanueva del Arzobispo}}; su sobrino {{NAME|Íker Zubieta}} la visita semanalmente.
MMSE 21/30 el {{DATE|15 de enero de 2024}}. Analítica con vitamina B12 y TSH normales.
Un saludo, Dr. {{NAME|Leandro Quiñones}}, médico de familia. Tel. consulta {{CONTACT|953 714 220}}.`,
];

export const GERMAN: readonly string[] = [
  `VERLAUFSBERICHT
Patientin: {{NAME|Annegret Vollmerhausen}}, {{AGE|71}} Jahre, Fallnummer {{ID|20231187}}.
Aufnahme am {{DATE|14.03.2023}} im {{LOCATION|Kreisklinikum Lindenau}} wegen zunehmender Belastungsdyspnoe.
Vorerkrankungen: arterielle Hypertonie, Diabetes mellitus Typ 2, Vorhofflimmern unter Antikoagulation.
Befund: wach und orientiert, basale Rasselgeräusche beidseits, Unterschenkelödeme.
Procedere: Diuretika intravenös, tägliche Gewichtskontrolle. Tochter {{NAME|Sabine}} informiert unter {{CONTACT|0171 4829307}}.
gez. Dr. med. {{NAME|Jörg Pfeiffenberger}}, Innere Medizin.`,
  `ENTLASSUNGSBRIEF
Sehr geehrte Frau Kollegin, wir berichten über Herrn {{NAME|Wendelin Thaler}}, geb. {{DATE|02.09.1948}},
der sich vom {{DATE|5. Februar 2024}} bis zum {{DATE|12. Februar 2024}} in unserer stationären Behandlung befand.
Diagnose: ambulant erworbene Pneumonie rechts basal. Unter Ampicillin/Sulbactam rasche Entfieberung.
Medikation bei Entlassung: Amoxicillin für weitere fünf Tage, Paracetamol bei Bedarf.
Wiedervorstellung in der Pneumologie bei Dr. {{NAME|Hiltrud Osterkamp}} am {{DATE|4. März}}.
Anschrift: {{LOCATION|Birkenweg 17}}, {{LOCATION|37441}} {{LOCATION|Bad Sachsa}}.`,
  `NOTAUFNAHME - ERSTEINSCHÄTZUNG
{{AGE|29}}-jährige Patientin, begleitet vom Ehemann {{NAME|Malte Brinkhoff}}, nach Sturz auf die linke Hand.
Schmerzen und Fehlstellung im Bereich des distalen Unterarms, keine Bewusstlosigkeit.
Vitalparameter: RR 131/82, HF 88, SpO2 99 %, Temperatur 36,6.
Röntgen: dislozierte distale Radiusfraktur. Geschlossene Reposition und Gipsschiene.
Kontrolle in der Unfallchirurgie am {{DATE|22.05.2023}}. Rückruf unter {{CONTACT|+49 151 22873641}}.
Behandelnde Ärztin: {{NAME|Friederike Lohmöller}}.`,
  `TELEFONNOTIZ
Anruf von Frau {{NAME|Gerlinde Auerbach}}, Ehefrau von Herrn {{NAME|Ottokar Auerbach}} (Versichertennummer {{ID|K482019375}}).
Seit {{DATE|Montag, dem 6. November}} produktiver Husten und subfebrile Temperaturen.
Keine Atemnot, keine Thoraxschmerzen. Empfehlung: Flüssigkeit, Fiebersenkung, bei Verschlechterung Vorstellung.
Befunde bitte an {{CONTACT|o.auerbach@post-erfunden.de}} senden.
Hausarztpraxis: {{LOCATION|Praxis am Rosengarten}}, {{LOCATION|Quedlinburg}}.`,
  `RADIOLOGISCHER BEFUND
Patientin: {{NAME|Irmtraud Kesselring}}   Geburtsdatum: {{DATE|23.08.1950}}
Untersuchung: CT Thorax mit Kontrastmittel vom {{DATE|30.01.2024}}.
Befund: spikulierter Rundherd von 14 mm im apikalen Segment des rechten Oberlappens.
Keine mediastinalen Lymphknotenvergrößerungen. Kleiner Pleuraerguss links.
Beurteilung: dringender Verdacht auf ein primäres Bronchialkarzinom; PET-CT und Tumorkonferenz empfohlen.
Radiologe: Dr. {{NAME|Cornelius Wettstein}}, {{LOCATION|Radiologie Zentrum Eichstätt}}.`,
  `ÜBERWEISUNG
Liebe Kollegin, ich überweise Ihnen Frau {{NAME|Hedwig Sonnleitner}}, {{AGE|76}} Jahre, wegen fortschreitender
kognitiver Verschlechterung seit zwei Jahren mit Kurzzeitgedächtnisstörung und zeitlicher Desorientierung.
Sie lebt allein in {{LOCATION|Oberammergau}}; ihr Neffe {{NAME|Korbinian Sonnleitner}} besucht sie wöchentlich.
MMST 21/30 am {{DATE|15. Januar 2024}}. Labor inklusive Vitamin B12 und TSH unauffällig.
Mit freundlichen Grüßen, Dr. {{NAME|Volkmar Eichhorn}}, Allgemeinmedizin. Tel. {{CONTACT|08822 94713}}.`,
];

export const LANGUAGE_NOTES: Readonly<Record<'es' | 'de', readonly MarkedNote[]>> = {
  es: SPANISH.map((m, i) => parseMarked(`es-${i + 1}`, m)),
  de: GERMAN.map((m, i) => parseMarked(`de-${i + 1}`, m)),
};
