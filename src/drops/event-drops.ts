/**
 * Syscall event drop monitoring (Falco's syscall_evt_drop_mgr): once a second of event time,
 * the driver's counters since the last check; when the share of dropped events is above the
 * threshold (or a drop is simulated), the configured actions run, at most as often as a token
 * bucket allows: log it, raise the "Falco internal: syscall event drop" alert, or stop.
 */
import type { DropAction, DropsConfig } from './drops-config';
import { LOG_CRIT, LOG_DEBUG, LOG_INFO, type FalcoLogger } from '../log/falco-logger';
import { internalAlert, type FalcoAlert } from '../alert/alert';
import { PRIORITY_DEBUG } from '../alert/priority';
import { timeOfDay } from '../params/time';
import type { EventView } from '../event/view';

const ONE_SECOND_NS = 1e9;

export const DROP_RULE = 'Falco internal: syscall event drop';
const ACTION_ORDER: readonly DropAction[] = ['ignore', 'log', 'alert', 'exit'];

/** Falco's token_bucket: `rate` tokens a second, at most `max`, starting full. */
export class TokenBucket {
  private tokens: number;
  private lastSeen: number | null = null;

  constructor(
    private readonly rate: number,
    private readonly max: number,
  ) {
    this.tokens = max;
  }

  claim(nowNs: number): boolean {
    if (this.lastSeen !== null) this.tokens += this.rate * ((nowNs - this.lastSeen) / ONE_SECOND_NS);
    this.lastSeen = nowNs;
    if (this.tokens > this.max) this.tokens = this.max;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The driver's cumulative counters (a trace file has none: both stay 0). */
export interface CaptureCounters {
  /** events the driver saw (delivered and dropped) */
  events: number;
  drops: number;
  /** drops because a ring buffer was full */
  dropsBuffer: number;
}

export interface DropMonitorHooks {
  log: FalcoLogger;
  /** the alert action: Falco's internal alert, priority Debug, with its output fields */
  alert(message: string, fields: Record<string, string>): void;
  /** the probe in use is eBPF (the alert's ebpf_enabled field) */
  ebpf: boolean;
}

export class DropMonitor {
  /** seconds in which drops were seen (above the threshold) */
  detected = 0;
  /** of those, the ones whose actions ran (the token bucket allowed it) */
  actionsTaken = 0;
  private nextCheck = -1;
  private last: CaptureCounters = { events: 0, drops: 0, dropsBuffer: 0 };
  private readonly bucket: TokenBucket;
  private readonly threshold: number;

  constructor(
    private readonly cfg: DropsConfig,
    private readonly hooks: DropMonitorHooks,
  ) {
    this.bucket = new TokenBucket(cfg.rate, cfg.maxBurst);
    // (a simulated drop must always count: Falco zeroes the threshold then)
    this.threshold = cfg.simulate ? 0 : cfg.threshold;
  }

  /**
   * Called for each event with its time (ns, any fixed origin) and the counters so far.
   * Returns false when the exit action ran: the caller stops.
   */
  process(nowNs: number, counters: () => CaptureCounters): boolean {
    if (this.nextCheck < 0) {
      this.nextCheck = nowNs + ONE_SECOND_NS;
      return true;
    }
    if (this.nextCheck >= nowNs) return true;
    this.nextCheck = nowNs + ONE_SECOND_NS;
    const c = counters();
    const delta = {
      events: c.events - this.last.events,
      drops: c.drops - this.last.drops,
      dropsBuffer: c.dropsBuffer - this.last.dropsBuffer,
    };
    this.last = { ...c };
    if (this.cfg.simulate) {
      this.hooks.log.log(LOG_INFO, 'Simulating syscall event drop');
      delta.drops++;
    }
    if (delta.drops <= 0) return true;
    // (n_evts includes the drops; with no events counted the ratio is infinite)
    const ratio = delta.drops / delta.events;
    if (!(ratio > this.threshold)) return true;
    this.detected++;
    if (!this.bucket.claim(nowNs)) {
      this.hooks.log.log(LOG_DEBUG, 'Syscall event drop but token bucket depleted, skipping actions');
      return true;
    }
    this.actionsTaken++;
    return this.act(delta);
  }

  private act(d: CaptureCounters): boolean {
    const msg = `${DROP_RULE}. ${d.drops} system calls dropped in last second.`;
    let proceed = true;
    // (Falco keeps the actions in a set ordered ignore, log, alert, exit)
    for (const a of ACTION_ORDER) {
      if (!this.cfg.actions.has(a)) continue;
      switch (a) {
        case 'ignore':
          break;
        case 'log':
          this.hooks.log.log(LOG_DEBUG, msg);
          break;
        case 'alert':
          // the per-category counters of current drivers; ours only tell ring-full drops apart
          this.hooks.alert(msg, {
            n_evts: String(d.events),
            n_drops: String(d.drops),
            n_drops_buffer_total: String(d.dropsBuffer),
            n_drops_buffer_clone_fork_exit: '0',
            n_drops_buffer_execve_exit: '0',
            n_drops_buffer_connect_exit: '0',
            n_drops_buffer_open_exit: '0',
            n_drops_buffer_dir_file_exit: '0',
            n_drops_buffer_other_interest_exit: '0',
            n_drops_buffer_close_exit: '0',
            n_drops_buffer_proc_exit: '0',
            n_drops_scratch_map: '0',
            n_drops_page_faults: '0',
            n_drops_bug: '0',
            ebpf_enabled: this.hooks.ebpf ? '1' : '0',
          });
          break;
        case 'exit':
          this.hooks.log.log(LOG_CRIT, msg);
          this.hooks.log.log(LOG_CRIT, 'Exiting.');
          proceed = false;
          break;
      }
    }
    return proceed;
  }

  /** Falco's closing report on stderr. */
  statsText(): string {
    return (
      'Syscall event drop monitoring:\n' +
      `   - event drop detected: ${this.detected} occurrences\n` +
      `   - num times actions taken: ${this.actionsTaken}\n`
    );
  }
}

/** What a session needs to monitor drops: the configuration and Falco's log. */
export interface DropsSetup {
  config: DropsConfig;
  logger: FalcoLogger;
}

/**
 * A monitor whose alerts go to `emit` as Falco's internal alert, stamped with the time of the
 * event being processed (`current`).
 */
export function dropMonitorFor(
  setup: DropsSetup,
  o: {
    emit: (a: FalcoAlert) => void;
    current: () => EventView | null;
    json: boolean;
    ebpf: boolean;
  },
): DropMonitor {
  return new DropMonitor(setup.config, {
    log: setup.logger,
    ebpf: o.ebpf,
    alert: (message, fields) => {
      const ev = o.current();
      const sec = ev !== null ? ev.tsSeconds() : Math.floor(Date.now() / 1000);
      const nsec = ev !== null ? ev.tsNanos() : (Date.now() % 1000) * 1e6;
      o.emit(
        internalAlert({
          rule: DROP_RULE,
          priority: PRIORITY_DEBUG,
          message,
          fields,
          json: o.json,
          timeOfDay: timeOfDay(sec, nsec),
          timeNs: BigInt(sec) * 1000000000n + BigInt(nsec),
        }),
      );
    },
  });
}
