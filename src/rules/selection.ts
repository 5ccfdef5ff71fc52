/**
 * falco.yaml's rule selection and append_output as the engine applies them
 * (falco_engine::enable_rule_wildcard / enable_rule_by_tag after loading, the compiler's
 * extra_output_format and extra_output_fields); config/rules-config.ts reads them.
 */

export interface RuleSelection {
  enable: boolean;
  /** a rule name, `*` a wildcard ('' = none) */
  rule: string;
  /** a tag, matched exactly ('' = none) */
  tag: string;
}

export interface AppendOutput {
  source: string;
  /** the rule must have all of them */
  tags: string[];
  rule: string;
  /** appended to the output, after a space ('' = none) */
  format: string;
  /** output_fields to add: a name with a format, or a field (format null) with its value */
  fields: { name: string; format: string | null }[];
  /** the entry's suggested_output, or null when it does not say */
  suggestedOutput: boolean | null;
}

/** falco::utils::matches_wildcard: `*` matches any run (its first-occurrence search, as Falco). */
export function matchesWildcard(pattern: string, s: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === s;
  if (star === 0) {
    const from = pattern.search(/[^*]/);
    if (from < 0) return true;
    const next = pattern.slice(from);
    const lit = next.slice(0, next.indexOf('*') < 0 ? next.length : next.indexOf('*'));
    const at = s.indexOf(lit);
    if (at < 0) return false;
    return matchesWildcard(next.slice(lit.length), s.slice(at + lit.length));
  }
  if (pattern.slice(0, star) !== s.slice(0, star)) return false;
  return matchesWildcard(pattern.slice(star), s.slice(star));
}

/** Whether a rule ends up enabled: its own `enabled`, then each selection entry in order. */
export function selectedBy(
  sel: readonly RuleSelection[],
  r: { name: string; tags: readonly string[]; enabled: boolean },
): boolean {
  let on = r.enabled;
  for (const s of sel) {
    if (s.rule !== '' && matchesWildcard(s.rule, r.name)) on = s.enable;
    if (s.tag !== '' && r.tags.includes(s.tag)) on = s.enable;
  }
  return on;
}

/** The text append_output adds to a rule's output ('' = nothing), in the entries' order. */
export function appendedOutput(
  ao: readonly AppendOutput[],
  r: { name: string; source: string; tags: readonly string[] },
): string {
  return ao
    .filter((e) => e.format !== '' && appliesTo(e, r))
    .map((e) => ' ' + e.format)
    .join('');
}

/** Does an append_output entry pick this rule (source, all its tags, name)? */
export function appliesTo(e: AppendOutput, r: { name: string; source: string; tags: readonly string[] }): boolean {
  return (
    (e.source === '' || e.source === r.source) &&
    e.tags.every((t) => r.tags.includes(t)) &&
    (e.rule === '' || e.rule === r.name)
  );
}
