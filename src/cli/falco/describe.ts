/**
 * Falco's -L and -l RULE (falco_engine::describe_rule and format_described_rules_as_text):
 * the rules as a two-column "Rule / Description" table, or with json_output the engine's JSON
 * (`required_engine_version`, `required_plugin_versions`, `rules`, `macros`, `lists`, each
 * with its `info`). The `details` of each item (the condition's AST summary) are not produced.
 */
import type { RulesLoader, CompiledRule } from '../../rules';
import { PRIORITY_NAMES } from '../../alert/priority';
import { FalcoError } from './errors';
import { wrapText } from './wrap';

/** printf("%-50s %s") */
const twoColumns = (l: string, r: string): string => `${l.padEnd(50)} ${r}\n`;

function ruleJson(r: CompiledRule): object {
  return {
    info: {
      name: r.name,
      condition: r.info.cond,
      priority: PRIORITY_NAMES[r.priority],
      output: r.info.output,
      description: r.desc,
      enabled: r.enabled,
      source: r.source,
      tags: r.tags,
    },
  };
}

/** The JSON of -L (rule === null) or -l RULE; throws Falco's error for a rule not loaded. */
export function describeJson(loader: RulesLoader, rule: string | null): Record<string, unknown> {
  const rs = loader.ruleset;
  if (rule !== null) {
    const r = rs.rules.find((x) => x.name === rule);
    if (r === undefined) throw new FalcoError(`Rule "${rule}" is not loaded`);
    return { rules: [ruleJson(r)] };
  }
  const c = loader.collector;
  const v = c.requiredEngineVersion ?? [0, 0, 0];
  return {
    required_engine_version: v.join('.'),
    required_plugin_versions: c.requiredPlugins.map((alts) => ({
      name: alts[0].name,
      version: alts[0].version,
      alternatives: alts.slice(1).map((a) => ({ name: a.name, version: a.version })),
    })),
    rules: rs.rules.map(ruleJson),
    macros: rs.macros.map((m) => ({ info: { name: m.name, condition: m.condition }, details: { used: m.used } })),
    lists: rs.lists.map((l) => ({ info: { name: l.name, items: l.items }, details: { used: l.used } })),
  };
}

/** format_described_rules_as_text */
export function describeText(d: Record<string, unknown>): string {
  let s = twoColumns('Rule', 'Description') + twoColumns('----', '-----------');
  for (const r of d.rules as { info: { name: string; description: string } }[]) {
    s += twoColumns(r.info.name, wrapText(r.info.description, 51, 110) + '\n');
  }
  return s;
}
