/**
 * Drains every bus of the process on SIGTERM/SIGINT, then lets the signal take its default
 * course (the process exits as if the toolkit were not there) unless the application listens for
 * the signal too, in which case the application decides. One listener per signal for all buses,
 * so the first bus to finish draining cannot end the process under the others.
 */
const drains = new Map<NodeJS.Signals, Set<() => Promise<void>>>();
const listeners = new Map<NodeJS.Signals, () => void>();

function listen(signal: NodeJS.Signals): void {
  if (listeners.has(signal)) return;
  const listener = (): void => {
    const pending = [...(drains.get(signal) ?? [])];
    drains.delete(signal);
    process.removeListener(signal, listener);
    listeners.delete(signal);
    void Promise.allSettled(pending.map((drain) => drain())).then(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  listeners.set(signal, listener);
  process.on(signal, listener);
}

/** Registers `drain` for the signals; returns a function that unregisters it. */
export function onShutdownSignals(signals: readonly NodeJS.Signals[], drain: () => Promise<void>): () => void {
  for (const signal of signals) {
    const set = drains.get(signal) ?? new Set();
    set.add(drain);
    drains.set(signal, set);
    listen(signal);
  }
  return () => {
    for (const signal of signals) {
      const set = drains.get(signal);
      set?.delete(drain);
      if (set && set.size === 0) {
        drains.delete(signal);
        const listener = listeners.get(signal);
        if (listener) process.removeListener(signal, listener);
        listeners.delete(signal);
      }
    }
  };
}
