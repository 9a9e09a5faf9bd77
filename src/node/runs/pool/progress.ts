import cliProgress from 'cli-progress';

/**
 * Progress of a folder run: a cli-progress bar on stderr when stderr is a terminal, nothing
 * otherwise (logs and pipes never get control characters). It shows counts and rates only —
 * never file names, which can carry PHI (patient names in file names are common).
 */
export interface Progress {
  advance(n: number): void;
  stop(): void;
}

export const NO_PROGRESS: Progress = { advance: () => undefined, stop: () => undefined };

export function createProgress(stream: NodeJS.WritableStream, total: number, alreadyDone = 0): Progress {
  const started = Date.now();
  let value = alreadyDone;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: 'phi-redact [{bar}] {percentage}% | {value}/{total} notes | {rate} notes/s | ETA {eta_formatted}',
      barCompleteChar: '#',
      barIncompleteChar: '.',
      hideCursor: true,
      fps: 5,
      etaBuffer: 50,
      etaAsynchronousUpdate: true,
      // Notes skipped by --resume count as done but not towards the rate or the ETA.
      progressCalculationRelative: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, alreadyDone, { rate: '0' });
  return {
    advance(n: number): void {
      value += n;
      const seconds = (Date.now() - started) / 1000;
      bar.update(value, { rate: seconds > 0 ? ((value - alreadyDone) / seconds).toFixed(0) : '0' });
    },
    stop(): void {
      bar.stop();
    },
  };
}
