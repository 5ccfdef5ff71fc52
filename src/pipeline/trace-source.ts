/** Trace files as an event source: each file's sections and events, in order, into one step. */
import { readTraceFile, type ReadProgress, type ReadResult } from '../scap/file-source';
import type { EventStep } from './event-step';

export interface TraceHooks {
  /** a progress hook for this file (the replay bar, output yields), or undefined */
  progressFor?(file: string): ReadProgress | undefined;
  /** after each file read to its end (or to the stop) */
  fileDone?(file: string, res: ReadResult): void;
}

/** Reads the files into the step until one of its stages stops it; true if every file was read. */
export async function runTraces(step: EventStep, files: readonly string[], hooks: TraceHooks = {}): Promise<boolean> {
  const handler = { onSection: step.section, onEvent: step.event };
  for (const file of files) {
    const res = await readTraceFile(file, handler, hooks.progressFor?.(file));
    hooks.fileDone?.(file, res);
    if (step.stopped) return false;
  }
  return true;
}
