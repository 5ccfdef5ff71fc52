/**
 * The alert contract between the rules engine and the outputs: one typed alert object (rule,
 * priority, source, tags, hostname, the exact event time, typed output fields), its text line
 * and message rendered on demand; plus the counters every output keeps and the AlertSink
 * interface the engine emits into. render.ts turns an alert into Falco's text and JSON lines.
 *
 * Strings an alert hands out are ordinary (Unicode) JS strings. Values formatted from trace
 * bytes (Template.format returns latin1 byte strings) are decoded by whoever builds the alert.
 */
import * as os from 'node:os';
import { PRIORITY_NAMES, type Priority } from './priority';

/** A typed output field value (bigint: a 64-bit integer beyond 2^53, e.g. a ns timestamp, kept exact). */
export type OutputFieldValue = string | number | bigint | boolean | null;

export type OutputFields = Readonly<Record<string, OutputFieldValue>>;

/** The optional properties of the JSON form (Falco's json_include_*_property). */
export interface JsonShape {
  /** `output`: the text line */
  output: boolean;
  /** `tags` */
  tags: boolean;
  /** `message`: the rule output without the time and priority */
  message: boolean;
  /** `output_fields` (json_include_output_fields_property; default true) */
  fields?: boolean;
}

/** Renderings made once per alert (render.ts fills them). */
export interface RenderCache {
  json?: string;
  /** the text / JSON line as UTF-8 with its newline, for files and programs */
  textBuf?: Buffer;
  jsonBuf?: Buffer;
  /** the text / JSON line as a latin1 byte string, for Out */
  textBytes?: string;
  jsonBytes?: string;
}

/** One alert, as Falco (and falcosidekick) exchange it. */
export abstract class FalcoAlert {
  /** renderings made so far (see render.ts) */
  readonly rendered: RenderCache = {};

  constructor(
    readonly rule: string,
    readonly priority: Priority,
    /** "syscall" for rules on system calls, "internal" for Falco's own alerts */
    readonly source: string,
    /** in the rule's order (the JSON form sorts them) */
    readonly tags: readonly string[],
    readonly hostname: string,
    /** the event time, ns since the epoch, exact */
    readonly timeNs: bigint,
    readonly shape: JsonShape,
  ) {}

  /** The full text line: "<time>: <Priority> <rule output>" (rendered once). */
  abstract text(): string;
  /** The rule output without the time and priority (json_include_message_property). */
  abstract message(): string;
  /** The output fields, keys sorted, values typed (extracted once). */
  abstract fields(): OutputFields;
  /** The JSON `output` property: the text line (Falco's internal alerts: the message alone). */
  jsonOutput(): string {
    return this.text();
  }
}

export interface StaticAlertInit {
  rule: string;
  priority: Priority;
  source?: string;
  tags?: readonly string[];
  hostname?: string;
  timeNs: bigint;
  text: string;
  message?: string;
  /** the JSON `output` (default: text) */
  jsonOutput?: string;
  fields: Record<string, OutputFieldValue>;
  shape?: Partial<JsonShape>;
}

/** An alert whose text and fields are known up front (internal alerts, tests). */
export class StaticAlert extends FalcoAlert {
  private readonly init: StaticAlertInit;

  constructor(o: StaticAlertInit) {
    super(o.rule, o.priority, o.source ?? 'syscall', o.tags ?? [], o.hostname ?? defaultHostname(), o.timeNs, {
      output: true,
      tags: true,
      message: false,
      ...o.shape,
    });
    this.init = o;
  }

  text(): string {
    return this.init.text;
  }
  message(): string {
    return this.init.message ?? '';
  }
  fields(): OutputFields {
    return this.init.fields;
  }
  override jsonOutput(): string {
    return this.init.jsonOutput ?? this.init.text;
  }
}

/** What every output counts. After close(): emitted = sent + failed + dropped. */
export interface OutputCounters {
  /** delivered (HTTP 2xx, written to the file / pipe / socket) */
  sent: number;
  /** delivery attempts repeated after a failure (one alert can be retried several times) */
  retried: number;
  /** given up on after an attempt: retries exhausted, permanent rejection, write error */
  failed: number;
  /** never attempted: queue full, output unavailable, or still queued when the flush timed out */
  dropped: number;
}

/** Where the rules engine sends alerts. emit() never blocks and never throws. */
export interface AlertSink {
  emit(alert: FalcoAlert): void;
}

/** One destination. Outputs are created by OutputManager from `--output` specs. */
export interface AlertOutput extends AlertSink {
  /** display name, safe to print (credentials redacted) */
  readonly name: string;
  readonly counters: OutputCounters;
  /** alerts accepted but not yet sent/failed (queued or in flight) */
  pending(): number;
  /** push buffered bytes out synchronously where the output can (stdout, file) */
  flush(): void;
  /** deliver what is pending within timeoutMs, then release resources; leftovers count as dropped */
  close(timeoutMs: number): Promise<void>;
  /** SIGUSR1: open the destination again by its name (a file renamed by logrotate); false if it could not */
  reopen?(): boolean;
  /**
   * True once the reader closed the destination on purpose (stdout piped into `head`): what
   * it then misses counts as dropped but is no loss to report.
   */
  readonly endedByReader?: boolean;
}

export function newCounters(): OutputCounters {
  return { sent: 0, retried: 0, failed: 0, dropped: 0 };
}

/** RFC 3339 UTC with nanoseconds from an epoch-ns timestamp: "2016-08-04T16:17:57.881759471Z". */
export function rfc3339Nanos(tsNs: bigint | number): string {
  const ns = typeof tsNs === 'bigint' ? tsNs : BigInt(Math.trunc(tsNs));
  const sec = ns / 1000000000n;
  const frac = ns % 1000000000n;
  const d = new Date(Number(sec) * 1000);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return iso.slice(0, 19) + '.' + frac.toString().padStart(9, '0') + 'Z';
}

/** Falco's `hostname`: FALCO_HOSTNAME, else the host name. */
export function defaultHostname(): string {
  const h = process.env.FALCO_HOSTNAME;
  return h !== undefined && h !== '' ? h : os.hostname();
}

/**
 * One of Falco's own alerts (falco_outputs::handle_msg), e.g. the syscall event drop alert:
 * source "internal", no tags, string fields. Its text line is `<time of day>: <Priority>
 * <message> (k="v" ...)`; in JSON, `output` is the message alone.
 */
export function internalAlert(o: {
  rule: string;
  priority: Priority;
  message: string;
  fields: Record<string, string | number>;
  timeOfDay: string;
  timeNs: bigint;
  json: boolean;
}): FalcoAlert {
  const keys = Object.keys(o.fields).sort();
  const name = PRIORITY_NAMES[o.priority];
  const text = `${o.timeOfDay}: ${name} ${o.message} (${keys.map((k) => `${k}=${JSON.stringify(o.fields[k])}`).join(' ')})`;
  return new StaticAlert({
    rule: o.rule,
    priority: o.priority,
    source: 'internal',
    timeNs: o.timeNs,
    text,
    jsonOutput: o.json ? o.message : text,
    fields: o.fields,
    shape: { tags: false },
  });
}
