/**
 * phi-redact as a library. The seam is `Span`: detectors produce them, `mergeSpans` resolves
 * them, operators replace them. `loadPipeline` wires the configured detectors together:
 *
 *   import { loadPipeline } from 'phi-redact';
 *   const pipeline = await loadPipeline({ detectors: ['rules'] });
 *   const { text, spans } = await pipeline.redact(note);
 *
 * Grouped by layer (README "Architecture"): the pure core, detectors and transforms, the
 * pipeline, then the Node edge that loads assets and reads files.
 */

// core: spans, labels, merging, config, errors
export { LABELS, LABEL_PRIORITY, SUBTYPES, isLabel, labelRank, type Label, type Subtype } from './core/labels.js';
export {
  assertValidSpan,
  compareSpans,
  contains,
  overlaps,
  overlapsOrTouches,
  sameExtent,
  spanLength,
  type Span,
} from './core/span.js';
export { applySafeSpans, dropBelowThreshold, dropUnsupported, mergeOverlapping, mergeSpans, type MergeOptions } from './core/merge.js';
export { CONFIG_DEFAULTS, ConfigSchema, PolicySchema, parseConfig, type Config, type ConfigInput } from './core/config.js';
export { DETECTOR_KINDS, type DetectorKind } from './core/detectorKinds.js';
export { ConfigError, ERROR_CODES, InputError, PhiRedactError, type ErrorCode } from './core/errors.js';

// detect and transform (pure)
export type { DetectContext, Detector } from './detect/types.js';
export { createRuleDetectors } from './detect/rules/index.js';
export {
  applyAllowList,
  compileAllowList,
  createSiteDetector,
  knownSpans,
  readKnown,
  type DenyList,
  type KnownIdentifiers,
  type KnownValue,
  type SiteLists,
} from './detect/site/index.js';
export { learnLists, type Candidate, type LearnDoc, type ListProposals } from './detect/site/learn.js';
export { applyOperators, BUILTIN_OPERATORS, operatorFor } from './transform/apply.js';
export { mask } from './transform/operators/mask.js';
export { tag } from './transform/operators/tag.js';
export {
  createSurrogateOperator,
  DEFAULT_SURROGATE_OPTIONS,
  type SurrogateOptions,
  type SurrogateOptionsInput,
} from './transform/operators/surrogate.js';
export { DateShifter, DEFAULT_DATE_SHIFT, patientOffsetDays, shiftDateText, type DateShiftOptions } from './transform/dates.js';
export { keyFingerprint, type SecretKey } from './transform/keyed.js';
export { patientIdFor, patientIdFromFolder, patientIdFromPath, patientIdFromRecord, type PatientIdSource } from './transform/scope.js';
export { effectivePolicy, SAFE_HARBOR_POLICY } from './transform/safeHarbor.js';
export type { Operator, OperatorName, OutputSpan, Policy, TransformContext, TransformResult } from './transform/types.js';

// the pipeline: text -> detectors -> spans -> merge -> transform
export { Pipeline, type Analysis, type Redaction } from './pipeline.js';

// the Node edge: config files, assets, keys, files and run records
export { loadConfig, loadPipeline, type LoadPipelineOptions } from './node/createPipeline.js';
export { loadRulePacks } from './node/assets/rulePacks.js';
export { formatProposals, loadSiteLists, readListsYaml } from './node/assets/siteLists.js';
export { loadSecretKey, KEY_ENV, type LoadedKey } from './node/keys.js';
export { loadRestrictedZip3, noteScope } from './node/surrogates.js';
export { decodeNote } from './node/files/decodeNote.js';
export { writeFileAtomic } from './node/files/atomicWrite.js';
export { formatNoteLine, parseNoteLine, type NoteRecord, type ParsedNoteLine } from './node/runs/jsonlNotes.js';
export { MANIFEST_DIR, MANIFEST_FILE, readManifest, type ManifestEntry, type ManifestSpan, type ManifestOutSpan } from './node/runs/manifest.js';
