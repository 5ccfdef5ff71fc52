/**
 * Falco's alert shapes (falco_formats.cpp / falco_outputs.cpp):
 *
 *   text: `<%evt.time>: <Priority> <output>`, e.g. `16:17:57.882054739: Warning An open was seen ...`
 *         (`%evt.time.iso8601` instead with time_format_iso_8601). The whole line is one format
 *         with Falco's forced leading `*`, so missing values print `<NA>` and the line is
 *         always printed. No backslash escapes are processed.
 *   JSON: keys sorted as nlohmann prints them: hostname, output, output_fields, priority, rule,
 *         source, tags, time. `output_fields` holds every %field of the format (the time field
 *         as the integer ns timestamp), typed; `time` is RFC 3339 UTC with 9 fractional digits.
 */
import * as os from 'node:os';
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { FieldRegistry } from '../filter/field-api';
import { Template } from '../format/template';
import { jsonQuote } from '../format/json';
import { nanos9 } from '../params/time';
import type { CompiledRule } from './compiler';
import { PRIORITY_NAMES } from './types';

export interface AlertOptions {
  json?: boolean;
  timeIso8601?: boolean;
  /** json_include_output_property (default true) */
  includeOutput?: boolean;
  /** json_include_tags_property (default true) */
  includeTags?: boolean;
  /** json_include_message_property (default false): the output without the time/priority prefix */
  includeMessage?: boolean;
  hostname?: string;
}

interface Prepared {
  line: Template;
  message: Template | null;
}

export class AlertFormatter {
  private readonly cache = new Map<number, Prepared>();
  readonly hostname: string;

  constructor(
    private readonly registry: FieldRegistry,
    readonly opts: AlertOptions = {},
  ) {
    this.hostname = opts.hostname ?? process.env.FALCO_HOSTNAME ?? os.hostname();
  }

  private prepare(r: CompiledRule): Prepared {
    let p = this.cache.get(r.id);
    if (p === undefined) {
      const out = r.output.startsWith('*') ? r.output.slice(1) : r.output;
      const timeField = this.opts.timeIso8601 ? '%evt.time.iso8601' : '%evt.time';
      p = {
        line: Template.compile(`*${timeField}: ${PRIORITY_NAMES[r.priority]} ${out}`, this.registry),
        message: this.opts.includeMessage ? Template.compile('*' + out, this.registry) : null,
      };
      this.cache.set(r.id, p);
    }
    return p;
  }

  /** The text line (also the JSON `output` property). */
  text(r: CompiledRule, ev: EventView, st: State): string {
    return this.prepare(r).line.format(ev, st) ?? '';
  }

  /** One alert as printed: the text line, or the JSON object with -j. */
  format(r: CompiledRule, ev: EventView, st: State): string {
    if (!this.opts.json) return this.text(r, ev, st);
    return this.json(r, ev, st);
  }

  json(r: CompiledRule, ev: EventView, st: State): string {
    const p = this.prepare(r);
    const o = this.opts;
    let s = '{"hostname":' + jsonQuote(this.hostname);
    if (o.includeMessage && p.message) s += ',"message":' + jsonQuote(p.message.format(ev, st) ?? '');
    // (the json_include_* properties shape JSON output; alerts printed as text need the line)
    if (o.includeOutput !== false || !o.json) s += ',"output":' + jsonQuote(p.line.format(ev, st) ?? '');
    s += ',"output_fields":' + (p.line.formatJson(ev, st) ?? '{}');
    s += ',"priority":' + jsonQuote(PRIORITY_NAMES[r.priority]);
    s += ',"rule":' + jsonQuote(r.name);
    s += ',"source":' + jsonQuote(r.source);
    if (o.includeTags !== false || !o.json) s += ',"tags":[' + r.tags.map(jsonQuote).join(',') + ']';
    s += ',"time":"' + rfc3339(ev) + '"}';
    return s;
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (UTC) of the event timestamp. */
export function rfc3339(ev: EventView): string {
  const sec = ev.tsSeconds();
  const d = new Date(sec * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:` +
    `${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${nanos9(ev.tsNanos())}Z`
  );
}
