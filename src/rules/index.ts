/**
 * The Falco rules engine: public surface.
 *
 *   const s = RulesSession.load({ rules: ['rules.yaml'], overrides: ['priority=warning'] });
 *   // per event, after state.processEvent(ev):
 *   s.process(ev, state, (alert) => outputs.emit(alert)); // render with src/alert/render.ts
 *
 * Stages: reader.ts (YAML → items) → collector.ts (append/override) → compiler.ts (lists,
 * macros, exceptions, filters) → engine.ts (evttype buckets, first/all) → alerts.ts (the alert objects).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import { fieldRegistry } from '../filter/fields/registry';
import type { FieldRegistry } from '../filter/field-api';
import { InputError } from '../util/errors';
import { AlertFormatter, AlertOptions, type RuleAlert } from './alerts';
import { EnterMergeRegistry } from './enter-merge';
import { EngineOptions, RulesEngine } from './engine';
import { RulesLoader } from './loader';
import { formatResult } from './report';
import { LoadResult } from './types';
import { type Priority, parsePriority } from '../alert/priority';
import type { PluginSet } from '../plugins/registry';
import { ruleSources } from './sources';
import { StaticFieldsRegistry, staticSuggestedOutput } from './static-fields';
import { appendedOutput, appliesTo, type AppendOutput, type RuleSelection } from './selection';

export { RulesLoader } from './loader';
export { RulesEngine, ruleSelected } from './engine';
export type { EngineOptions } from './engine';
export { AlertFormatter, RuleAlert } from './alerts';
export type { AlertOptions } from './alerts';
export { EnterMergeRegistry } from './enter-merge';
export { formatResult, formatMessage, resultJson, filePos } from './report';
export type { CompiledRule, CompiledRuleset } from './compiler';
export { expandedCondition } from './compiler';
export { LoadResult, Context } from './types';
export { PRIORITY_NAMES, parsePriority } from '../alert/priority';

/** Our default ruleset (shipped in the repo, used when replay gets no -r). */
export const DEFAULT_RULES = path.resolve(__dirname, '..', '..', '..', 'rules', 'default-rules.yaml');

/** `-r default` (or `-r builtin`) names the default ruleset. */
export function resolveRulesPath(p: string): string {
  return p === 'default' || p === 'builtin' ? DEFAULT_RULES : p;
}

/** Falco configuration keys settable with -o key=value. */
export interface RulesConfig {
  priority: Priority;
  ruleMatching: 'first' | 'all';
  jsonOutput: boolean;
  jsonIncludeOutputProperty: boolean;
  jsonIncludeTagsProperty: boolean;
  jsonIncludeMessageProperty: boolean;
  jsonIncludeOutputFieldsProperty: boolean;
  timeFormatIso8601: boolean;
  /** append the container plugin's suggested fields (default: when the rules require the container plugin) */
  suggestedOutput: boolean | null;
}

export const DEFAULT_CONFIG: RulesConfig = {
  priority: 7,
  ruleMatching: 'first',
  jsonOutput: false,
  jsonIncludeOutputProperty: true,
  jsonIncludeTagsProperty: true,
  jsonIncludeMessageProperty: false,
  jsonIncludeOutputFieldsProperty: true,
  timeFormatIso8601: false,
  suggestedOutput: null,
};

function bool(k: string, v: string): boolean {
  if (/^(true|yes|on|1)$/i.test(v)) return true;
  if (/^(false|no|off|0)$/i.test(v)) return false;
  throw new InputError(`-o ${k}: expected true or false, got '${v}'`);
}

/** Applies `-o key=value` overrides (Falco configuration keys). */
export function applyOverrides(base: RulesConfig, overrides: readonly string[]): RulesConfig {
  const c = { ...base };
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new InputError(`-o: expected key=value, got '${o}'`);
    const k = o.slice(0, eq).trim();
    const v = o.slice(eq + 1).trim();
    switch (k) {
      case 'priority': {
        const p = parsePriority(v);
        if (p === null) throw new InputError(`-o priority: unknown priority '${v}'`);
        c.priority = p;
        break;
      }
      case 'rule_matching':
        if (v !== 'first' && v !== 'all') throw new InputError(`-o rule_matching: expected first or all, got '${v}'`);
        c.ruleMatching = v;
        break;
      case 'json_output':
        c.jsonOutput = bool(k, v);
        break;
      case 'json_include_output_property':
        c.jsonIncludeOutputProperty = bool(k, v);
        break;
      case 'json_include_tags_property':
        c.jsonIncludeTagsProperty = bool(k, v);
        break;
      case 'json_include_message_property':
        c.jsonIncludeMessageProperty = bool(k, v);
        break;
      case 'json_include_output_fields_property':
        c.jsonIncludeOutputFieldsProperty = bool(k, v);
        break;
      case 'time_format_iso_8601':
        c.timeFormatIso8601 = bool(k, v);
        break;
      case 'append_output.suggested_output':
      case 'suggested_output':
        c.suggestedOutput = bool(k, v);
        break;
      default:
        throw new InputError(`-o: unsupported configuration key '${k}'`);
    }
  }
  return c;
}

/** The container plugin's suggested output fields, appended by Falco >= 0.41. */
export const SUGGESTED_OUTPUT =
  'container_id=%container.id container_name=%container.name ' +
  'container_image_repository=%container.image.repository container_image_tag=%container.image.tag ' +
  'k8s_pod_name=%k8s.pod.name k8s_ns_name=%k8s.ns.name';

export interface SessionOptions {
  /** rules files/dirs in order ('default' = our default ruleset) */
  rules: string[];
  overrides?: string[];
  runTags?: string[];
  disableTags?: string[];
  disablePatterns?: string[];
  /** -j */
  json?: boolean;
  /** judge enter and exit events (Falco <= 0.41 and its regression traces) */
  bothDirections?: boolean;
  registry?: FieldRegistry;
  /** the loaded plugins: their sources and fields, their versions for required_plugin_versions */
  plugins?: PluginSet;
  /** falco.yaml's `rules:` enable/disable entries */
  selection?: readonly RuleSelection[];
  /** falco.yaml's append_output entries (extra output text and fields) */
  appendOutput?: readonly AppendOutput[];
  /** falco.yaml's static_fields: `static.NAME` fields */
  staticFields?: Readonly<Record<string, string>>;
}

export class RulesSession {
  private constructor(
    readonly loader: RulesLoader,
    readonly engine: RulesEngine,
    readonly formatter: AlertFormatter,
    readonly config: RulesConfig,
    readonly results: LoadResult[],
  ) {}

  /** Loads the rules; throws InputError with Falco-style reports on any load error. */
  static load(o: SessionOptions): RulesSession {
    const config = applyOverrides(DEFAULT_CONFIG, o.overrides ?? []);
    if (o.json) config.jsonOutput = true;
    if ((o.runTags?.length ?? 0) > 0 && ((o.disableTags?.length ?? 0) > 0 || (o.disablePatterns?.length ?? 0) > 0)) {
      throw new InputError('You can not specify both disabled (-D/-T) and enabled (-t) rules');
    }
    const plugins = o.plugins;
    const sf = o.staticFields ?? {};
    const hasStatic = Object.keys(sf).length > 0;
    const src = ruleSources(o.registry ?? fieldRegistry, plugins);
    const { registryFor, sources } = src;
    const base = hasStatic ? new StaticFieldsRegistry(src.base, sf) : src.base;
    const merge = new EnterMergeRegistry(base, !o.bothDirections);
    // Falco loads the container plugin when the rules require it; it then appends its suggested
    // fields. The requirement is read before each compile: files loaded later recompile everything.
    const loader = new RulesLoader({
      registry: merge,
      registryFor,
      sources,
      extraOutput: (l) => {
        const parts = (config.suggestedOutput ?? l.requiresContainerPlugin()) ? [SUGGESTED_OUTPUT] : [];
        // (the static fields are suggested fields of their own: only an explicit suggested_output adds them)
        if (config.suggestedOutput === true && hasStatic) parts.push(staticSuggestedOutput(sf));
        return parts.length > 0 ? parts.join(' ') : undefined;
      },
      ruleExtraOutput: o.appendOutput && ((r) => appendedOutput(o.appendOutput!, r)),
    });
    const results: LoadResult[] = [];
    for (const f of o.rules.map(resolveRulesPath)) {
      const rs = loader.loadPath(f);
      results.push(...rs);
      if (rs.some((r) => !r.ok)) break;
    }
    const bad = results.filter((r) => !r.ok);
    if (bad.length > 0)
      throw new InputError('rules could not be loaded:\n' + bad.map((r) => formatResult(r, false)).join('\n'));
    const perr = loader.pluginRequirementErrors(plugins?.versions());
    if (perr.length > 0) throw new InputError(perr.join('\n'));
    for (const r of results) {
      if (r.warnings.length > 0 && process.env.FALCO_TS_RULES_WARNINGS === '1')
        process.stderr.write(formatResult(r) + '\n');
    }
    const eo: EngineOptions = {
      ruleMatching: config.ruleMatching,
      minPriority: config.priority,
      runTags: o.runTags,
      disableTags: o.disableTags,
      disablePatterns: o.disablePatterns,
      selection: o.selection,
      bothDirections: o.bothDirections,
      pluginSources: new Map(plugins?.sourcing().map((a) => [a.plugin.info.id!, a.plugin.info.eventSource!]) ?? []),
    };
    const engine = new RulesEngine(loader.ruleset, eo, merge);
    const ao: AlertOptions = {
      json: config.jsonOutput,
      timeIso8601: config.timeFormatIso8601,
      includeOutput: config.jsonIncludeOutputProperty,
      includeTags: config.jsonIncludeTagsProperty,
      includeMessage: config.jsonIncludeMessageProperty,
      includeOutputFields: config.jsonIncludeOutputFieldsProperty,
      extraFields: o.appendOutput && ((r) => o.appendOutput!.filter((e) => appliesTo(e, r)).flatMap((e) => e.fields)),
    };
    return new RulesSession(loader, engine, new AlertFormatter(merge, ao, registryFor), config, results);
  }

  /**
   * Judges one event; hands each alert to `sink`. An alert renders its line, message and
   * fields on first use, which must come before the sink returns (the event is current only
   * then): outputs render at emit() (src/alert/render.ts); keep the strings, not the alert.
   */
  process(ev: EventView, st: State, sink: (alert: RuleAlert) => void): number {
    const e = this.engine;
    const n = e.judge(ev, st);
    // (outputs are formatted only for the rules that matched, and only what is printed)
    for (let i = 0; i < n; i++) {
      const a = this.formatter.alert(e.matched[i], ev, st);
      sink(a);
      a.detach();
    }
    return n;
  }

  /** rules that are judged (loaded, enabled, selected by tag and priority) */
  get enabledRules(): number {
    return this.engine.enabled.length;
  }

  /** Summary for stderr: rules loaded/enabled and matches per rule. */
  summary(): string {
    const lines = [`Rules loaded: ${this.loader.ruleset.rules.length}, enabled: ${this.engine.enabled.length}`];
    let total = 0;
    for (const [name, n] of this.engine.counts)
      if (n > 0) {
        lines.push(`   ${name}: ${n}`);
        total += n;
      }
    lines.splice(1, 0, `Triggered rules by rule name (${total} alerts):`);
    return lines.join('\n');
  }
}

/** Reads a rules file list for `rules validate` / `rules list` (exported for tests). */
export function readRulesFile(p: string): string {
  return fs.readFileSync(p, 'utf8');
}
