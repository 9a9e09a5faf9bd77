/**
 * The other commands' actions, behind one lazy import: each `import()` is a bundle entry of its
 * own, and esbuild groups modules by the set of entries that reach them, so six lazy entries
 * split redact's path into many small chunks; one keeps it in a few files (issue 19).
 */
export { evalCommand } from './eval.js';
export { learnCommand } from './lists.js';
export { queueReset, queueStatus, queueSubmit, queueWork } from './queue.js';
export { reidentifyCommand } from './reidentify.js';
export { reviewExportGold, reviewReport, reviewSample, reviewServe } from './review.js';
export { serveCommand } from './serve.js';
