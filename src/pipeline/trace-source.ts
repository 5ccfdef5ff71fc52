/** Trace files as an event source: each file's sections and events, in order, into one step. */
import { readTraceFile, type ReadProgress, type ReadResult } from '../scap/file-source';
import type { EventStep } from './event-step';

export interface TraceHooks {
  /** a progress hook for this file (the replay bar, output yields), or undefined */
  progressFor?(file: string): ReadProgress | undefined;
  /** after each file read to its end (or to the stop) */
  fileDone?(file: string, res: ReadResult): void;
}

/** how long a file is read without letting the event loop run (signals, timers, outputs) */
const TURN_MS = 100;

/** Reads the files into the step until one of its stages stops it; true if every file was read. */
export async function runTraces(step: EventStep, files: readonly string[], hooks: TraceHooks = {}): Promise<boolean> {
  const handler = { onSection: step.section, onEvent: step.event };
  for (const file of files) {
    const res = await readTraceFile(file, handler, withTurns(hooks.progressFor?.(file)));
    hooks.fileDone?.(file, res);
    if (step.stopped) return false;
  }
  return true;
}

/**
 * The file is read synchronously chunk by chunk: every TURN_MS the event loop gets a turn, so
 * that SIGINT (stop), SIGUSR1 (reopen outputs) and timers are handled during a long replay.
 * One clock read per chunk (1 MiB): no cost on the events.
 */
function withTurns(p: ReadProgress | undefined): ReadProgress {
  let last = Date.now();
  return {
    onProgress: (bytes, size) => {
      const r = p?.onProgress(bytes, size);
      const now = Date.now();
      if (r !== undefined) {
        last = now;
        return r;
      }
      if (now - last < TURN_MS) return undefined;
      last = now;
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
