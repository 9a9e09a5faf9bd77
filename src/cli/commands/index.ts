import type { RegisterCommand } from '../io.js';
import { registerRedact } from './redact.js';
import { registerEval } from './eval.js';
import { registerReview } from './review.js';
import { registerQueue } from './queue.js';
import { registerReidentify } from './reidentify.js';
import { registerServe } from './serve.js';
import { registerLists } from './lists.js';

/** Every subcommand, in help order. Add one line per new command module. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerRedact,
  registerEval,
  registerReview,
  registerQueue,
  registerReidentify,
  registerServe,
  registerLists,
];
