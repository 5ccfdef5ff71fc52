/**
 * Per-event rule evaluation (Falco's evttype_index_ruleset): enabled rules are bucketed by
 * event code in definition order; each event evaluates only its bucket. `first` stops at
 * the first matching rule (at most one alert per event), `all` reports every match.
 *
 * Rule selection (applied once, after loading): `enabled`, minimum priority, -t (run only
 * rules with one of these tags), -T (disable rules with one of these tags), -D (disable
 * rules whose name contains the substring, or matches it as a `*` wildcard).
 *
 * Event directions: by default only exit events (plus events with no enter/exit pair, such
 * as procexit or container events) are judged, as in Falco >= 0.42; enter events are only
 * observed for EnterMergeRegistry. `bothDirections` judges every event, as Falco <= 0.41 did
 * with its old regression traces.
 */
import type { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import type { State } from '../state/state';
import { EVENT_CODE_COUNT } from '../filter';
import type { CompiledRule, CompiledRuleset } from './compiler';
import type { EnterMergeRegistry } from './enter-merge';
import type { Priority } from '../alert/priority';
import { PLUGIN_EVENT_CODE as PLUGIN_EVENT } from '../plugins/native/plugin-event';
import { selectedBy, type RuleSelection } from './selection';

export interface EngineOptions {
  ruleMatching?: 'first' | 'all';
  /** minimum priority (rules less severe are disabled); default Debug = all */
  minPriority?: Priority;
  runTags?: string[];
  disableTags?: string[];
  disablePatterns?: string[];
  /** falco.yaml's `rules:` entries, applied in order over each rule's own `enabled` */
  selection?: readonly RuleSelection[];
  bothDirections?: boolean;
  /** plugin event id -> its source: rules of these sources judge that plugin's events */
  pluginSources?: ReadonlyMap<number, string>;
}

/** enter events that have an exit event of the same syscall (dropped by current Falco) */
const PAIRED_ENTER = new Uint8Array(EVENTS.length);
/** internal events (procinfo, ...) are never judged */
const INTERNAL = new Uint8Array(EVENTS.length);
for (const e of EVENTS) {
  if (!e) continue;
  if (e.category.includes('EC_INTERNAL')) INTERNAL[e.code] = 1;
  if (e.dir === 0 && (e.code & 1) === 0) {
    const x = EVENTS[e.code + 1];
    if (x && x.dir === 1 && !x.flags.includes('EF_UNUSED')) PAIRED_ENTER[e.code] = 1;
  }
}

export function ruleSelected(r: CompiledRule, o: EngineOptions): boolean {
  // (a rule below the minimum priority is not in Falco's ruleset: no selection enables it)
  if (o.minPriority !== undefined && r.priority > o.minPriority) return false;
  if (!selectedBy(o.selection ?? [], r)) return false;
  if (o.runTags && o.runTags.length > 0 && !r.tags.some((t) => o.runTags!.includes(t))) return false;
  if (o.disableTags && r.tags.some((t) => o.disableTags!.includes(t))) return false;
  if (o.disablePatterns) {
    for (const p of o.disablePatterns) {
      if (p.includes('*') ? wildcard(p).test(r.name) : r.name.includes(p)) return false;
    }
  }
  return true;
}

function wildcard(p: string): RegExp {
  return new RegExp(
    '^' +
      p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
}

export class RulesEngine {
  readonly enabled: CompiledRule[];
  private readonly buckets: (CompiledRule[] | undefined)[];
  private readonly first: boolean;
  private readonly both: boolean;
  private readonly merge: EnterMergeRegistry | null;
  /** plugin id -> the enabled rules of its source */
  private readonly byPlugin = new Map<number, CompiledRule[]>();
  /** matches per rule name */
  readonly counts = new Map<string, number>();

  constructor(ruleset: CompiledRuleset, opts: EngineOptions = {}, merge: EnterMergeRegistry | null = null) {
    const plugins = opts.pluginSources ?? new Map<number, string>();
    const sources = new Set(['syscall', ...plugins.values()]);
    this.enabled = ruleset.rules.filter((r) => sources.has(r.source) && ruleSelected(r, opts));
    for (const [id, src] of plugins) {
      const rs = this.enabled.filter((r) => r.source === src);
      if (rs.length > 0) this.byPlugin.set(id, rs);
    }
    const syscall = this.enabled.filter((r) => r.source === 'syscall');
    this.first = (opts.ruleMatching ?? 'first') === 'first';
    this.both = opts.bothDirections === true;
    this.merge = merge && merge.enabled && !this.both ? merge : null;
    if (this.merge) this.merge.computeKeep();
    if (this.merge && !this.merge.active) this.merge = null;
    this.buckets = new Array<CompiledRule[] | undefined>(Math.max(EVENT_CODE_COUNT, EVENTS.length));
    for (let c = 0; c < this.buckets.length; c++) {
      // (plugin events belong to their plugin's source, never to syscall rules)
      if (c === PLUGIN_EVENT) continue;
      const b = syscall.filter((r) => r.eventTypes === null || r.eventTypes.has(c));
      if (b.length > 0) this.buckets[c] = b;
    }
    for (const r of this.enabled) this.counts.set(r.name, 0);
  }

  /** True when no rule is enabled (nothing can ever match). */
  get empty(): boolean {
    return this.enabled.length === 0;
  }

  /** The rules that matched the last judge() call (its return value says how many are valid). */
  readonly matched: CompiledRule[] = [];

  /**
   * Judges one event (after the state has processed it): the first (or every) matching rule
   * is put in `matched`; returns the number of matches. Allocates nothing.
   */
  judge(ev: EventView, st: State): number {
    const t = ev.type;
    if (INTERNAL[t] === 1) return 0;
    if (!this.both && PAIRED_ENTER[t] === 1) {
      if (this.merge !== null) this.merge.observeEnter(ev);
      return 0;
    }
    const b = t === PLUGIN_EVENT ? this.byPlugin.get(ev.u32(0)) : this.buckets[t];
    if (b === undefined) return 0;
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const r = b[i];
      if (r.filter.match(ev, st)) {
        this.matched[n++] = r;
        this.counts.set(r.name, (this.counts.get(r.name) ?? 0) + 1);
        if (this.first) break;
      }
    }
    return n;
  }

  /** judge(), then onMatch for each matching rule; returns the number of matches. */
  process(ev: EventView, st: State, onMatch: (r: CompiledRule) => void): number {
    const n = this.judge(ev, st);
    for (let i = 0; i < n; i++) onMatch(this.matched[i]);
    return n;
  }
}
