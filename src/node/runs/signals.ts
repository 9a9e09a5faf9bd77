/**
 * An AbortSignal that fires on SIGINT or SIGTERM: a run finishes the notes in hand, writes its
 * manifest or stream output, then stops (a second signal, with the handlers gone, kills).
 */
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
