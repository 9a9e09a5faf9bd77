import { DETECTOR_KINDS, parseDetectorList, type DetectorKind } from '../core/detectorKinds.js';
import { CliError } from './io.js';

/** `--detectors rules,ner`: kinds from the registry; E012 names the unknown one and the choices. */
export function parseDetectorsOption(list: string): DetectorKind[] {
  const { kinds, unknown } = parseDetectorList(list);
  if (unknown !== undefined) throw new CliError(`E012 unknown detector "${unknown}" (choose from ${DETECTOR_KINDS.join(', ')})`);
  if (kinds.length === 0) throw new CliError(`E012 --detectors needs at least one of ${DETECTOR_KINDS.join(', ')}`);
  return kinds;
}
