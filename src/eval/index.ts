export { evaluate, detectorFamily, spanSources } from './score.js';
export { prf, scored } from './metrics.js';
export { tokenize, tokensOverlapping, type Token } from './tokens.js';
export { formatText, toJson, errorCounts } from './format.js';
export { formatReport, contextOf, CONTEXT_CHARS } from './missReport.js';
export { mapGoldLabel } from './labelMap.js';
export { joinPredictions, type PredictionLine } from './join.js';
export { EvalInputError } from './errors.js';
export type * from './types.js';
