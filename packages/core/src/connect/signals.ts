import type { Connection } from './connection.js';

const live = new Set<Connection>();
let installed = false;

/**
 * How long a signal waits for the disconnects. Generous, because a session busy streaming on a loaded machine
 * takes a while to stop and remove; the handlers are `once`, so a second Ctrl-C ends the process at once.
 */
const DISCONNECT_GRACE_MS = 30_000;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  const closing = [...live].map((connection) =>
    Promise.race([
      connection.disconnect(),
      new Promise((resolve) => setTimeout(resolve, DISCONNECT_GRACE_MS).unref()),
    ]),
  );
  await Promise.allSettled(closing);
  // Only stand in for the default behaviour when nobody else listens for this signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

// SIGHUP: the terminal closed (on Windows, the console window).
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const handlers: Record<(typeof SIGNALS)[number], () => void> = {
  SIGINT: () => void onSignal('SIGINT'),
  SIGTERM: () => void onSignal('SIGTERM'),
  SIGHUP: () => void onSignal('SIGHUP'),
};

/**
 * Disconnects every live connection on SIGINT/SIGTERM/SIGHUP, then lets the signal do what it would have done.
 * (On a normal exit or SIGKILL the pwsh host sees its side channel close and removes its session itself.)
 */
export function trackForSignals(connection: Connection): void {
  live.add(connection);
  connection.onSettled(() => {
    live.delete(connection);
    if (live.size === 0 && installed) {
      for (const signal of SIGNALS) process.off(signal, handlers[signal]);
      installed = false;
    }
  });
  if (!installed) {
    for (const signal of SIGNALS) process.once(signal, handlers[signal]);
    installed = true;
  }
}
