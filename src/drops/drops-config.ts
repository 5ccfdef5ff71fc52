/** Falco's syscall_event_drops settings: the monitor's inputs, read from falco.yaml or -o. */

export type DropAction = 'ignore' | 'log' | 'alert' | 'exit';

/** syscall_event_drops: what to do when the driver drops events (Falco's defaults when absent). */
export interface DropsConfig {
  actions: Set<DropAction>;
  /** drops / events in the last second above which it counts (0-1) */
  threshold: number;
  /** token bucket: actions per second, and the burst */
  rate: number;
  maxBurst: number;
  /** pretend one event was dropped each second (Falco's test hook) */
  simulate: boolean;
}

/** falco.yaml's shipped syscall_event_drops (what a live session uses without -c). */
export function defaultDropsConfig(): DropsConfig {
  return { actions: new Set(['log', 'alert']), threshold: 0.1, rate: 0.03333, maxBurst: 1, simulate: false };
}
