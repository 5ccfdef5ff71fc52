/**
 * `falco-ts rules validate FILE...` (like `falco -V`) and `falco-ts rules list FILE...`, plus
 * the rules options of `falco-ts replay` (-r, -o, --tag, -T, --disable-rule,
 * --legacy-both-directions), defined here once so replay's wiring stays a line.
 */
import type { Command } from 'commander';
import { EVENTS } from '../event/generated/events';
import { Out } from '../util/out';
import { fieldRegistry } from '../filter/fields/registry';
import type { SessionOptions, CompiledRule, RulesLoader } from '../rules';
import type { DropsSetup } from '../drops/event-drops';
import { lazy } from '../util/lazy';

/** the rules engine (and YAML) loads only when rules are used */
const rulesModule = lazy(() => require('../rules') as typeof import('../rules'));

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Adds the rules options to a command (replay; live mode later). */
export function addRulesOptions(cmd: Command): Command {
  return cmd
    .option(
      '-r, --rules <file|dir|default>',
      "Falco rules file or directory (repeatable, loaded in order); 'default' = our default ruleset. Prints alerts instead of events",
      collect,
    )
    .option(
      '-o, --option <key=value>',
      "Falco configuration key=value, as Falco's -o: any falco.yaml key by path (webserver.enabled=false, rules[].disable.tag=T, append_output[0].extra_output=X, engine={kind: nodriver}); suggested_output=true|false (repeatable)",
      collect,
    )
    .option('--tag <tag>', "only run rules with this tag (Falco's -t; repeatable)", collect)
    .option('-T, --disable-tag <tag>', 'disable rules with this tag (repeatable)', collect)
    .option(
      '--disable-rule <pattern>',
      "disable rules whose name contains the substring, or matches the '*' wildcard (Falco's -D; repeatable)",
      collect,
    )
    .option(
      '--legacy-both-directions',
      'judge enter and exit events, as Falco <= 0.41 did (its regression traces need it); default: exit events only with enter parameters merged, as current Falco',
    )
    .option(
      '-c, --config <falco.yaml>',
      "Falco configuration file (Falco's -c), with its config_files: every key of Falco 0.44's falco.yaml (rules_files, rules selection, append_output, static_fields, outputs, logging, syscall_event_drops, webserver, metrics, engine); a key falco-ts does not do is one warning; -r, -o and --output on the command line win",
    );
}

/**
 * Reads -c FILE, and the -o settings of the configuration sections (outputs, logging,
 * syscall_event_drops, rules_file), into the parsed options: its rules when no -r, its engine
 * keys before the -o ones, its outputs when no --output. Returns its drop monitoring, if any.
 */
export function applyFalcoConfig(o: Record<string, unknown>): DropsSetup | undefined {
  const options = (o.option as string[] | undefined) ?? [];
  const file = typeof o.config === 'string' ? o.config : null;
  // (the falco.yaml modules load only when there is a file or an -o to read)
  if (file === null && options.length === 0) return undefined;
  const C = require('../config/falco-config') as typeof import('../config/falco-config');
  if (file === null && !options.some(C.isConfigOption)) return undefined;
  const cfg = C.loadFalcoConfig(file, options.filter(C.isConfigOption));
  const m = C.mergeCommandLine(cfg, (o.rules as string[] | undefined) ?? [], options);
  if (m.rules.length > 0) o.rules = m.rules;
  o.option = m.overrides;
  if (o.output === undefined && cfg.outputs !== null && cfg.outputs.length > 0) o.output = cfg.outputs;
  // the web server and metrics sections, for the run to start once its source is open
  o.serve = { webserver: cfg.webserver, metrics: cfg.metrics, configFile: file };
  o.engine = cfg.engine; // (the falco front-end picks its source by it)
  o.plugins = cfg.plugins;
  // watch_config_files: the configuration files and the rules files and directories it runs
  o.watchFiles = cfg.watchConfigFiles
    ? [...cfg.files, ...m.rules.filter((r) => r !== 'default' && r !== 'builtin')]
    : undefined;
  o.falcoCapture = cfg.capture; // (the falco front-end's live run records as it says)
  o.ruleSelection = m.selection;
  o.appendOutput = m.appendOutput;
  o.staticFields = m.staticFields;
  o.outputOptions = {
    queueCapacity: cfg.outputsQueueCapacity === 0 ? Number.MAX_SAFE_INTEGER : cfg.outputsQueueCapacity,
    immediate: !cfg.bufferedOutputs,
    http: cfg.http,
  };
  C.logConfigWarnings(cfg);
  return C.dropsSetupOf(cfg);
}

/** The rules session options from a command's parsed options, or undefined when no -r was given. */
export function rulesOptionsFrom(o: Record<string, unknown>): SessionOptions | undefined {
  const rules = o.rules as string[] | undefined;
  if (!rules || rules.length === 0) return undefined;
  return {
    rules,
    overrides: (o.option as string[] | undefined) ?? [],
    runTags: o.tag as string[] | undefined,
    disableTags: o.disableTag as string[] | undefined,
    disablePatterns: o.disableRule as string[] | undefined,
    json: o.json === true,
    bothDirections: o.legacyBothDirections === true,
    selection: o.ruleSelection as SessionOptions['selection'],
    appendOutput: o.appendOutput as SessionOptions['appendOutput'],
    staticFields: o.staticFields as SessionOptions['staticFields'],
  };
}

function eventNames(r: CompiledRule): string {
  if (r.eventTypes === null) return 'all';
  const names = [...new Set([...r.eventTypes].map((c) => EVENTS[c]?.name ?? String(c)))];
  return names.length > 100 ? 'all' : names.sort().join(',');
}

/** `rules validate`: returns the exit code (1 if any file is invalid). */
export function validateRules(files: string[], json: boolean): number {
  const { RulesLoader, formatResult, resultJson, resolveRulesPath } = rulesModule();
  const loader = new RulesLoader({ registry: fieldRegistry });
  const out: object[] = [];
  let bad = false;
  for (const f of files) {
    for (const r of loader.loadPath(resolveRulesPath(f))) {
      if (!r.ok) bad = true;
      const c = loader.collector;
      const counts = { rules: c.rules.items.length, macros: c.macros.items.length, lists: c.lists.items.length };
      if (json) out.push({ ...resultJson(r), ...counts });
      else {
        process.stdout.write(formatResult(r) + '\n');
        process.stdout.write(
          `${r.name}: ${counts.rules} rules, ${counts.macros} macros, ${counts.lists} lists loaded so far\n`,
        );
      }
    }
    if (bad) break;
  }
  if (!bad)
    for (const e of loader.pluginRequirementErrors()) {
      bad = true;
      process.stdout.write(e + '\n');
    }
  if (json) process.stdout.write(JSON.stringify({ falco_load_results: out }) + '\n');
  return bad ? 1 : 0;
}

/** Loads rules files in order; null (after printing the error) when one fails. */
function loadOrReport(files: string[]): RulesLoader | null {
  const { RulesLoader, formatResult, resolveRulesPath } = rulesModule();
  const loader = new RulesLoader({ registry: fieldRegistry });
  for (const f of files) {
    const rs = loader.loadPath(resolveRulesPath(f));
    const bad = rs.find((r) => !r.ok);
    if (bad) {
      process.stderr.write(formatResult(bad, false) + '\n');
      return null;
    }
  }
  return loader;
}

/** `rules list`: a table (or JSON) of the loaded rules. */
export function listRules(files: string[], json: boolean): number {
  const { PRIORITY_NAMES } = rulesModule();
  const loader = loadOrReport(files);
  if (loader === null) return 1;
  const rules = loader.ruleset.rules;
  const out = new Out(1);
  if (json) {
    out.line(
      JSON.stringify(
        rules.map((r) => ({
          name: r.name,
          priority: PRIORITY_NAMES[r.priority],
          tags: r.tags,
          enabled: r.enabled,
          source: r.source,
          event_types: eventNames(r),
          description: r.desc,
          condition: r.info.cond,
          output: r.info.output,
        })),
      ),
    );
    out.flush();
    return 0;
  }
  const rows = rules.map((r) => [
    r.name,
    PRIORITY_NAMES[r.priority],
    r.tags.join(','),
    r.enabled ? 'yes' : 'no',
    eventNames(r),
  ]);
  const head = ['RULE', 'PRIORITY', 'TAGS', 'ENABLED', 'EVENT TYPES'];
  const w = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i])))
      .join('  ')
      .trimEnd();
  for (const r of [head, ...rows]) out.line(line(r));
  out.line(`${rules.length} rules, ${loader.ruleset.macros.length} macros, ${loader.ruleset.lists.length} lists`);
  out.flush();
  return 0;
}

/**
 * `rules conditions`: each rule's condition with macros expanded and lists substituted, fully
 * parenthesised (a filter sysdig can read, fields permitting); `--or` prints one filter, the
 * OR of the enabled rules' conditions.
 */
export function printConditions(files: string[], o: { json?: boolean; or?: boolean }): number {
  const { expandedCondition } = rulesModule();
  const loader = loadOrReport(files);
  if (loader === null) return 1;
  const out = new Out(1);
  const rules = loader.ruleset.rules;
  if (o.or) {
    const on = rules.filter((r) => r.enabled && r.source === 'syscall');
    out.line(on.length === 0 ? '' : '(' + on.map(expandedCondition).join(' or ') + ')');
  } else if (o.json) {
    out.line(
      JSON.stringify(
        rules.map((r) => ({ name: r.name, enabled: r.enabled, source: r.source, condition: expandedCondition(r) })),
      ),
    );
  } else {
    for (const r of rules) out.line(`# ${r.name}${r.enabled ? '' : ' (disabled)'}\n${expandedCondition(r)}`);
  }
  out.flush();
  return 0;
}

export function registerRules(program: Command, setCode: (c: number) => void): void {
  const rules = program.command('rules').description('validate or list Falco rules files');
  rules
    .command('validate')
    .description('load rules files in order (like falco -V): Ok, or each error/warning with file:line:col')
    .argument('<file...>', "rules files or directories ('default' = our default ruleset)")
    .option('--json', 'one JSON object {falco_load_results: [...]}')
    .action((files: string[], o: Record<string, unknown>) => {
      setCode(validateRules(files, o.json === true));
    });
  rules
    .command('list')
    .description('table of the rules: name, priority, tags, enabled, event types')
    .argument('<file...>', "rules files or directories ('default' = our default ruleset)")
    .option('--json', 'JSON array')
    .action((files: string[], o: Record<string, unknown>) => {
      setCode(listRules(files, o.json === true));
    });
  rules
    .command('conditions')
    .description("each rule's condition with macros expanded and lists substituted, fully parenthesised")
    .argument('<file...>', "rules files or directories ('default' = our default ruleset)")
    .option('--json', 'JSON array of {name, enabled, source, condition}')
    .option('--or', "one filter: the OR of the enabled syscall rules' conditions")
    .action((files: string[], o: Record<string, unknown>) => {
      setCode(printConditions(files, { json: o.json === true, or: o.or === true }));
    });
}
