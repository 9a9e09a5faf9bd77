import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { registerRedact } from './redact.js';
import { registerEval } from './eval.js';
import { registerReview } from './review.js';
import { registerQueue } from './queue.js';
import { registerReidentify } from './reidentify.js';

/** A command module: registers its subcommand and reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

/** Every subcommand, in help order. Add one line per new command module. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerRedact,
  registerEval,
  registerReview,
  registerQueue,
  registerReidentify,
];
