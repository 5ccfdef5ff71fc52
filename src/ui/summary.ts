/**
 * End-of-run figures: events read and matched, drops, duration, and the outputs' report.
 * Printed on stderr (never stdout) when stderr is a TTY or with --summary.
 */
import type { OutputReport } from '../output/manager';

export interface RunSummary {
  /** what was read, e.g. the trace file names */
  source?: string;
  eventsRead: number;
  eventsMatched: number;
  /** wall-clock duration of the run */
  durationMs: number;
  /** losses other than outputs': e.g. events of unknown type skipped, kernel drops */
  drops: { what: string; count: number }[];
  outputs?: OutputReport;
}

/** Collects the run figures as the replay goes. */
export class RunStats {
  readonly startedAt = Date.now();
  eventsRead = 0;
  eventsMatched = 0;
  private readonly drops = new Map<string, number>();

  addDrops(what: string, count: number): void {
    if (count > 0) this.drops.set(what, (this.drops.get(what) ?? 0) + count);
  }

  finish(source?: string, outputs?: OutputReport, now = Date.now()): RunSummary {
    return {
      source,
      eventsRead: this.eventsRead,
      eventsMatched: this.eventsMatched,
      durationMs: now - this.startedAt,
      drops: [...this.drops].map(([what, count]) => ({ what, count })),
      outputs,
    };
  }
}

/** The summary goes to stderr when asked (--summary), or by default when stderr is a TTY. */
export function wantSummary(flag: boolean | undefined, stderrIsTTY = process.stderr.isTTY === true): boolean {
  if (flag !== undefined) return flag;
  return stderrIsTTY;
}
