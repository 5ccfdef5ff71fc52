/**
 * Several alert outputs at once, from `--output` specs:
 *   stdout | file:PATH | program:CMD | http://URL | https://URL | syslog[:SOCKET]
 * The rules engine calls emit() (never blocks, never throws); the CLI awaits close() at the
 * end, prints report() in the summary and lossLine() when alerts were lost (exit status
 * EXIT_ALERTS_LOST). Counts by priority and by rule are kept here, since every alert passes
 * through.
 */
import { AlertOutput, AlertSink, FalcoAlert, OutputCounters } from '../alert/alert';
import { PRIORITY_NAMES, type Priority, type PriorityName } from '../alert/priority';
import { StdoutOutput } from './stdout';
import { FileOutput } from './file';
import { ProgramOutput, ProgramOptions } from './program';
import { HttpOutput, HttpOutputOptions, redactUrl } from './http';
import { createSyslogOutput } from './syslog';
import { InputError } from '../util/errors';
import type { Out } from '../util/out';
import { EXIT_ALERTS_LOST } from '../util/exit-codes';

export { EXIT_ALERTS_LOST };

export type OutputSpec =
  | { kind: 'stdout' }
  | { kind: 'file'; path: string }
  | { kind: 'program'; command: string }
  | { kind: 'http'; url: string }
  | { kind: 'syslog'; socket?: string };

export const OUTPUT_SPEC_HELP = 'stdout, file:PATH, program:CMD, http(s)://URL or syslog';

/** Parses one `--output` value; throws InputError naming the accepted forms. */
export function parseOutputSpec(spec: string): OutputSpec {
  const s = spec.trim();
  if (s === 'stdout') return { kind: 'stdout' };
  if (s === 'syslog') return { kind: 'syslog' };
  if (s.startsWith('syslog:') && s.length > 7) return { kind: 'syslog', socket: s.slice(7) };
  if (s.startsWith('file:')) {
    if (s.length === 5) throw new InputError('--output file: needs a path (file:/var/log/falco-ts.log)');
    return { kind: 'file', path: s.slice(5) };
  }
  if (s.startsWith('program:')) {
    if (s.slice(8).trim() === '') throw new InputError("--output program: needs a command (program:'jq -c .')");
    return { kind: 'program', command: s.slice(8) };
  }
  if (/^https?:\/\//i.test(s)) return { kind: 'http', url: s };
  throw new InputError(`--output ${redactUrl(s)}: unknown output; expected ${OUTPUT_SPEC_HELP}`);
}

export interface OutputManagerOptions {
  /** JSON lines for stdout, file, program and syslog (HTTP is always JSON) */
  json?: boolean;
  /** colour the stdout output (the caller decides: TTY, NO_COLOR, --no-color) */
  color?: boolean;
  /** the replay's stdout writer, so event lines and alerts keep their order */
  out?: Out;
  /** capacity of each asynchronous output's queue (default 10000) */
  queueCapacity?: number;
  /** stdout flushed after every alert (falco.yaml's buffered_outputs false); default: on a TTY */
  immediate?: boolean;
  http?: Omit<HttpOutputOptions, 'log' | 'queueCapacity'>;
  program?: Omit<ProgramOptions, 'log' | 'queueCapacity' | 'json'>;
  /** warnings and errors of the outputs (default: one line on stderr) */
  log?: (msg: string) => void;
}

export interface OutputReportRow extends OutputCounters {
  name: string;
  /** still queued or in flight (0 after close) */
  pending: number;
  /** the reader closed it (stdout into `head`): its drops are no loss */
  endedByReader?: boolean;
}

export interface OutputReport {
  alerts: {
    total: number;
    byPriority: Partial<Record<PriorityName, number>>;
    byRule: Record<string, number>;
  };
  outputs: OutputReportRow[];
}

const stderrLog = (msg: string) => {
  process.stderr.write(`falco-ts: ${msg}\n`);
};

export class OutputManager implements AlertSink {
  emitted = 0;
  private readonly byPriority = new Map<Priority, number>();
  private readonly byRule = new Map<string, number>();
  private closed = false;

  /** what create() was given: a reload (SIGHUP) builds new outputs only if this changes */
  setup = '';

  constructor(readonly outputs: AlertOutput[]) {}

  /** Builds the outputs for `--output` specs (stdout when none). Throws InputError. */
  static create(specs: readonly string[], opts: OutputManagerOptions = {}): OutputManager {
    const log = opts.log ?? stderrLog;
    const parsed = (specs.length === 0 ? ['stdout'] : specs).map(parseOutputSpec);
    const outputs: AlertOutput[] = [];
    try {
      for (const p of parsed) {
        switch (p.kind) {
          case 'stdout':
            if (!outputs.some((o) => o instanceof StdoutOutput)) {
              outputs.push(
                new StdoutOutput({ json: opts.json, color: opts.color, out: opts.out, immediate: opts.immediate }),
              );
            }
            break;
          case 'file':
            outputs.push(new FileOutput(p.path, { json: opts.json, log }));
            break;
          case 'program':
            outputs.push(
              new ProgramOutput(p.command, {
                ...opts.program,
                json: opts.json,
                queueCapacity: opts.queueCapacity,
                log,
              }),
            );
            break;
          case 'http':
            outputs.push(new HttpOutput(p.url, { ...opts.http, queueCapacity: opts.queueCapacity, log }));
            break;
          case 'syslog':
            outputs.push(createSyslogOutput({ json: opts.json, socket: p.socket }));
            break;
        }
      }
    } catch (e) {
      // do not leave programs running behind a usage error
      for (const o of outputs) void o.close(0);
      throw e;
    }
    const m = new OutputManager(outputs);
    m.setup = OutputManager.setupKey(specs, opts);
    return m;
  }

  /** The key of a create() call's outputs and their format (compared across reloads). */
  static setupKey(specs: readonly string[], opts: OutputManagerOptions = {}): string {
    return JSON.stringify([specs.length === 0 ? ['stdout'] : specs, opts.json === true, opts.color === true]);
  }

  /** SIGUSR1: reopens the outputs that write to files by name; returns how many did. */
  reopen(): number {
    let n = 0;
    for (const o of this.outputs) if (o.reopen?.() === true) n++;
    return n;
  }

  /** True when no output can take another alert because their readers left (`| head`). */
  ended(): boolean {
    return this.outputs.every((o) => o.endedByReader === true);
  }

  /** Sends one alert to every output. Never throws; an output's exception counts as failed. */
  emit(alert: FalcoAlert): void {
    this.emitted++;
    this.byPriority.set(alert.priority, (this.byPriority.get(alert.priority) ?? 0) + 1);
    this.byRule.set(alert.rule, (this.byRule.get(alert.rule) ?? 0) + 1);
    for (const o of this.outputs) {
      if (this.closed) {
        o.counters.dropped++;
        continue;
      }
      try {
        o.emit(alert);
      } catch {
        o.counters.failed++;
      }
    }
  }

  /** Alerts queued or in flight in the asynchronous outputs. */
  pending(): number {
    let n = 0;
    for (const o of this.outputs) n += o.pending();
    return n;
  }

  /**
   * For synchronous loops (the file replay): a promise to await between chunks so HTTP and
   * program outputs make progress, or undefined when nothing waits (no cost on the fast path).
   */
  yieldIfPending(): Promise<void> | undefined {
    if (this.pending() === 0) return undefined;
    return new Promise((r) => setImmediate(r));
  }

  /** Writes buffered stdout/file data now. */
  flush(): void {
    for (const o of this.outputs) o.flush();
  }

  /**
   * Delivers what is pending (each output gets up to timeoutMs, in parallel), then releases
   * everything. Alerts still queued at the deadline count as dropped. Returns the report.
   */
  async close(timeoutMs = 5000): Promise<OutputReport> {
    if (!this.closed) {
      this.closed = true;
      await Promise.all(this.outputs.map((o) => o.close(timeoutMs).catch(() => undefined)));
    }
    return this.report();
  }

  report(): OutputReport {
    const byPriority: Partial<Record<PriorityName, number>> = {};
    PRIORITY_NAMES.forEach((name, p) => {
      const n = this.byPriority.get(p as Priority);
      if (n) byPriority[name] = n;
    });
    const byRule: Record<string, number> = {};
    for (const [r, n] of [...this.byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) byRule[r] = n;
    return {
      alerts: { total: this.emitted, byPriority, byRule },
      outputs: this.outputs.map((o) => ({
        name: o.name,
        ...o.counters,
        pending: o.pending(),
        endedByReader: o.endedByReader === true,
      })),
    };
  }
}

/** Alerts an output failed to deliver or dropped (those a closed `| head` missed excepted). */
export function lostAlerts(r: OutputReportRow): number {
  return r.failed + (r.endedByReader === true ? 0 : r.dropped);
}

/**
 * The end-of-run line when alerts were lost, counted per output, e.g.
 * `falco-ts: 30 alerts not delivered: http://127.0.0.1:2801/ 1 failed, 29 dropped`;
 * null when none was. (The caller exits with EXIT_ALERTS_LOST.)
 */
export function lossLine(reports: readonly OutputReport[]): string | null {
  // (outputs of the same name across a reload add up)
  const by = new Map<string, { failed: number; dropped: number }>();
  let total = 0;
  for (const r of reports)
    for (const o of r.outputs) {
      const n = lostAlerts(o);
      if (n === 0) continue;
      total += n;
      const c = by.get(o.name) ?? { failed: 0, dropped: 0 };
      c.failed += o.failed;
      c.dropped += n - o.failed;
      by.set(o.name, c);
    }
  if (total === 0) return null;
  const parts = [...by].map(([name, c]) =>
    [c.failed > 0 ? `${c.failed} failed` : '', c.dropped > 0 ? `${c.dropped} dropped` : '']
      .filter((x) => x !== '')
      .join(', ')
      .replace(/^/, `${name} `),
  );
  return `falco-ts: ${total} alert${total === 1 ? '' : 's'} not delivered: ${parts.join('; ')}`;
}
