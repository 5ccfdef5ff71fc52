/**
 * The signals a running command acts on, as Falco does: SIGINT and SIGTERM stop it (what is
 * pending is delivered, summaries printed, exit 0), SIGHUP reloads the rules of a live run,
 * SIGUSR1 reopens the file outputs. Node's inspector, which SIGUSR1 would otherwise start, is
 * kept off by the launcher's own SIGUSR1 listener (bin/falco-ts).
 */
export type RunSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGUSR1';

/** Calls fn on each of sigs until the returned function is called. */
export function onSignals(sigs: readonly RunSignal[], fn: (sig: RunSignal) => void): () => void {
  const listener = (sig: NodeJS.Signals) => fn(sig as RunSignal);
  for (const s of sigs) process.on(s, listener);
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    for (const s of sigs) process.removeListener(s, listener);
  };
}

/**
 * SIGINT or SIGTERM asks the run to stop: `signal` is set and onStop called. Only the first
 * one is taken: the listeners then go, so a second Ctrl-C ends the process at once, as usual.
 */
export class StopRequest {
  signal: RunSignal | null = null;
  private readonly off: () => void;

  constructor(onStop?: (sig: RunSignal) => void) {
    this.off = onSignals(['SIGINT', 'SIGTERM'], (s) => {
      this.signal = s;
      this.off();
      onStop?.(s);
    });
  }

  dispose(): void {
    this.off();
  }
}

/**
 * SIGUSR1: `reopen` opens the file outputs again (it returns how many); one line on stderr says
 * so, as Falco logs it. Returns the function that stops listening.
 */
export function onReopenSignal(reopen: () => number): () => void {
  return onSignals(['SIGUSR1'], () => {
    const n = reopen();
    process.stderr.write(`falco-ts: SIGUSR1 received: ${n} file output${n === 1 ? '' : 's'} reopened\n`);
  });
}
