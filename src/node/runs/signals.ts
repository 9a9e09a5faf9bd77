/**
 * An AbortSignal that fires on SIGINT or SIGTERM: a run finishes the notes in hand, writes its
 * manifest or stream output, then stops (a second signal, with the handlers gone, kills).
 */
/** Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM); a second signal, with the handlers gone, kills. */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolveStop) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function abortOnSignals(): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
