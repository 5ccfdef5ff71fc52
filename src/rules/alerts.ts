/**
 * Falco's alerts of a rule (falco_formats.cpp / falco_outputs.cpp) as FalcoAlert objects:
 *
 *   text: `<%evt.time>: <Priority> <output>`, e.g. `16:17:57.882054739: Warning An open was seen ...`
 *         (`%evt.time.iso8601` instead with time_format_iso_8601). The whole line is one format
 *         with Falco's forced leading `*`, so missing values print `<NA>` and the line is
 *         always printed. No backslash escapes are processed.
 *   fields: every %field of the format (the time fields as the integer ns timestamp), typed.
 *
 * The line, the message and the fields are rendered from the event on first use, which must
 * come while the sink that received the alert runs (the event is the current one only then);
 * src/alert/render.ts makes the printed lines.
 */
import * as os from 'node:os';
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { FieldRegistry } from '../filter/field-api';
import { Template } from '../format/template';
import { jsoncppText } from '../format/json';
import { FalcoAlert, type JsonShape, type OutputFieldValue, type OutputFields } from '../alert/alert';
import { PRIORITY_NAMES } from '../alert/priority';
import type { CompiledRule } from './compiler';

export interface AlertOptions {
  json?: boolean;
  timeIso8601?: boolean;
  /** json_include_output_property (default true) */
  includeOutput?: boolean;
  /** json_include_tags_property (default true) */
  includeTags?: boolean;
  /** json_include_message_property (default false): the output without the time/priority prefix */
  includeMessage?: boolean;
  /** json_include_output_fields_property (default true) */
  includeOutputFields?: boolean;
  hostname?: string;
  /** append_output's extra_fields of a rule: a name with a format, or a field (format null) */
  extraFields?: (r: CompiledRule) => readonly { name: string; format: string | null }[];
}

interface Prepared {
  line: Template;
  message: Template | null;
  /** extra output_fields: formatted under a name, or a field's own value (raw) */
  extras: { name: string; tpl: Template; raw: boolean }[];
  /** a token's extraction has side effects: render in Falco's order at once */
  eager: boolean;
}

export class AlertFormatter {
  private readonly cache = new Map<number, Prepared>();
  readonly hostname: string;
  /** the JSON form's optional properties (alerts printed as text always have the line and tags) */
  readonly shape: JsonShape;

  constructor(
    private readonly registry: FieldRegistry,
    readonly opts: AlertOptions = {},
    /** the fields of a plugin source's rules; absent: `registry` */
    private readonly registryFor?: (source: string) => FieldRegistry | undefined,
  ) {
    this.hostname = opts.hostname ?? process.env.FALCO_HOSTNAME ?? os.hostname();
    this.shape = {
      output: opts.includeOutput !== false || !opts.json,
      tags: opts.includeTags !== false || !opts.json,
      message: opts.includeMessage === true,
      fields: opts.includeOutputFields !== false || !opts.json,
    };
  }

  private prepare(r: CompiledRule): Prepared {
    let p = this.cache.get(r.id);
    if (p === undefined) {
      const out = r.output.startsWith('*') ? r.output.slice(1) : r.output;
      const timeField = this.opts.timeIso8601 ? '%evt.time.iso8601' : '%evt.time';
      const reg = this.registryFor?.(r.source) ?? this.registry;
      const line = Template.compile(`*${timeField}: ${PRIORITY_NAMES[r.priority]} ${out}`, reg);
      const message = this.opts.includeMessage ? Template.compile('*' + out, reg) : null;
      const extras = (this.opts.extraFields?.(r) ?? []).map((f) => ({
        name: f.name,
        tpl: Template.compile(f.format === null ? `*%${f.name}` : `*${f.format}`, reg),
        raw: f.format === null,
      }));
      const eager = line.stateful || (message?.stateful ?? false) || extras.some((x) => x.tpl.stateful);
      p = { line, message, extras, eager };
      this.cache.set(r.id, p);
    }
    return p;
  }

  /** The alert of rule r on the current event; detach() it once its sink returned. */
  alert(r: CompiledRule, ev: EventView, st: State): RuleAlert {
    const a = new RuleAlert(r, this.prepare(r), this.hostname, this.shape, ev, st);
    if (a.eager) a.renderAll();
    return a;
  }
}

const GONE = 'alert rendered after its event: render it while the sink runs';

/** A rule's alert on one event. */
export class RuleAlert extends FalcoAlert {
  private ev: EventView | null;
  private st: State | null;
  private lineBytes_: string | null = null;
  private text_: string | null = null;
  private message_: string | null = null;
  private fields_: OutputFields | null = null;

  constructor(
    readonly compiled: CompiledRule,
    private readonly p: Prepared,
    hostname: string,
    shape: JsonShape,
    ev: EventView,
    st: State,
  ) {
    super(compiled.name, compiled.priority, compiled.source, compiled.tags, hostname, ev.tsBig(), shape);
    this.ev = ev;
    this.st = st;
  }

  get eager(): boolean {
    return this.p.eager;
  }

  /** The text line as the template formats it: a latin1 byte string of the trace's bytes. */
  lineBytes(): string {
    if (this.lineBytes_ === null) {
      if (this.ev === null) throw new Error(GONE);
      this.lineBytes_ = this.p.line.format(this.ev, this.st!) ?? '';
    }
    return this.lineBytes_;
  }

  text(): string {
    return (this.text_ ??= jsoncppText(this.lineBytes()));
  }

  message(): string {
    if (this.message_ === null) {
      if (this.p.message === null) return '';
      if (this.ev === null) throw new Error(GONE);
      this.message_ = jsoncppText(this.p.message.format(this.ev, this.st!) ?? '');
    }
    return this.message_;
  }

  fields(): OutputFields {
    if (this.fields_ === null) {
      if (this.ev === null) throw new Error(GONE);
      const raw = this.p.line.extractFields(this.ev, this.st!) ?? {};
      const f: Record<string, OutputFieldValue> = raw;
      for (const x of this.p.extras) {
        if (x.raw) Object.assign(f, x.tpl.extractFields(this.ev, this.st!) ?? {});
        else f[x.name] = x.tpl.format(this.ev, this.st!) ?? '';
      }
      for (const k in f) {
        const v = f[k];
        if (typeof v === 'string') f[k] = jsoncppText(v);
      }
      this.fields_ = f;
    }
    return this.fields_;
  }

  /** Everything the JSON form can need, in Falco's order (message, line, fields). */
  renderAll(): void {
    if (this.shape.message) this.message();
    if (this.shape.output) this.lineBytes();
    this.fields();
  }

  /** The event is no longer current: later renderings of what was not rendered throw. */
  detach(): void {
    this.ev = null;
    this.st = null;
  }
}
