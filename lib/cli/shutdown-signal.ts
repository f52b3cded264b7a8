/**
 * SIGTERM and SIGINT for long-running commands: the first asks for a graceful stop (finish
 * what runs, then exit 0); a second one, from an impatient person or an orchestrator, forces
 * the exit at once.
 */

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** A watch on the shutdown signals; dispose it to restore the default behaviour. */
export interface ShutdownSignals {
  /** Settles with the first signal received. */
  readonly received: Promise<NodeJS.Signals>;
  dispose(): void;
}

/**
 * Starts listening for SIGTERM and SIGINT, and keeps the process alive until disposed.
 * `onForce` runs on the second signal.
 *
 * @example
 * const signals = listenForShutdown(() => process.exit(130));
 * await signals.received; await worker.stop(); signals.dispose();
 */
export function listenForShutdown(onForce: (signal: NodeJS.Signals) => void): ShutdownSignals {
  let first: NodeJS.Signals | undefined;
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals): void => {
    if (first) return onForce(signal);
    first = signal;
    resolve(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  // A module with nothing to do (no worker, no connection) would otherwise let Node exit at
  // once, as if it had been asked to stop.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  return {
    received,
    dispose: () => {
      clearInterval(keepAlive);
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
