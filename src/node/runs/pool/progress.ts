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
      // Our own ETA: cli-progress's shows "NULL"/"INF" (half-overwritten: "LLs", "NFs") before the first notes are done.
      format: 'phi-redact [{bar}] {percentage}% | {value}/{total} notes | {rate} notes/s | ETA {timeLeft}',
      barCompleteChar: '#',
      barIncompleteChar: '.',
      hideCursor: true,
      fps: 5,
      // Notes skipped by --resume count as done but not towards the rate or the ETA.
      progressCalculationRelative: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, alreadyDone, { rate: '0', timeLeft: '--' });
  return {
    advance(n: number): void {
      value += n;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? (value - alreadyDone) / seconds : 0;
      bar.update(value, { rate: rate.toFixed(0), timeLeft: etaText(total - value, rate) });
    },
    stop(): void {
      bar.stop();
    },
  };
}

/** Seconds left at the rate so far, as 42s / 3m05s / 1h02m; "--" until there is a rate. */
export function etaText(left: number, ratePerSecond: number): string {
  if (left <= 0) return '0s';
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) return '--';
  const s = Math.ceil(left / ratePerSecond);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
