/**
 * What a run (live or replay) lets the metrics read: counters that already exist in the
 * probe, the reader, the rules engine and the outputs. Read at snapshot time only, so the
 * per-event path gains nothing.
 */
import type { OutputManager } from '../output/manager';
import type { CompiledRule } from '../rules/compiler';

export interface KernelCounters {
  /** events the probe produced */
  events: number;
  /** events lost in the kernel, all reasons */
  drops: number;
  /** of which: the ring buffer was full */
  dropsBuffer: number;
}

export interface RunCounters {
  /** libscap's engine name: modern_bpf, kmod or savefile */
  engineName: string;
  /** events read from the source and processed (falco.num_evts) */
  eventsProcessed(): number;
  /** the probe's counters (live); absent for a trace, which has none */
  kernel?(): KernelCounters;
  /** threads in the state table now */
  threads?(): number;
  /** the rules judged and the engine's per-rule match counts */
  rules?: { enabled: readonly CompiledRule[]; counts: ReadonlyMap<string, number> };
  outputs?: OutputManager;
  rulesFiles: readonly string[];
}
