/**
 * The falco.yaml keys that shape the loaded rules: `rules` (enable/disable by rule name
 * wildcard or tag, in order), `append_output` (extra output text and fields for the rules a
 * match picks by source, tags and name) and `static_fields`. Decoded as Falco's
 * YAML::convert<rule_selection_config> / <append_output_config> do; what they refuse is an error.
 */

import type { AppendOutput, RuleSelection } from '../rules/selection';
import { nodeText } from './config-document';

export type { AppendOutput, RuleSelection };

type Fail = (msg: string) => never;

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = nodeText;

/** A value that is a list, or a single entry (Falco's get_sequence takes a scalar as one). */
const entries = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export function readRuleSelection(v: unknown, fail: Fail): RuleSelection[] {
  return entries(v).map((e, i) => {
    const bad = (): never =>
      fail(`rules[${i}]: expected {enable: {rule: NAME}} or {disable: {tag: TAG}} (rule, tag or both)`);
    if (!isMap(e)) return bad();
    // (enable wins when an entry has both, as Falco's decoder)
    const enable = e.enable !== undefined && e.enable !== null;
    const sel = enable ? e.enable : e.disable;
    if (!isMap(sel)) return bad();
    const r: RuleSelection = { enable, rule: str(sel.rule), tag: str(sel.tag) };
    if (r.rule === '' && r.tag === '') bad();
    return r;
  });
}

export function readAppendOutput(v: unknown, fail: Fail): AppendOutput[] {
  return entries(v).map((e, i) => {
    const bad = (why: string): never => fail(`append_output[${i}]: ${why}`);
    if (!isMap(e)) return bad('expected a map');
    const out: AppendOutput = { source: '', tags: [], rule: '', format: '', fields: [], suggestedOutput: null };
    if (isMap(e.match)) {
      out.source = str(e.match.source);
      out.rule = str(e.match.rule);
      if (Array.isArray(e.match.tags)) {
        for (const t of e.match.tags as unknown[]) {
          if (t !== null && typeof t === 'object') bad('match.tags: expected a list of tags');
          if (!out.tags.includes(str(t))) out.tags.push(str(t));
        }
      }
    }
    out.format = str(e.extra_output);
    if (e.extra_fields !== undefined && e.extra_fields !== null) {
      if (!Array.isArray(e.extra_fields)) bad('extra_fields: expected a list');
      for (const f of e.extra_fields as unknown[]) {
        if (isMap(f) && Object.keys(f).length === 1) {
          const [name, fmt] = Object.entries(f)[0];
          if (out.fields.some((x) => x.name === name)) bad(`extra_fields: '${name}' is defined twice`);
          out.fields.push({ name, format: str(fmt) });
        } else if (f !== null && typeof f !== 'object') {
          const name = str(f);
          if (out.fields.some((x) => x.name === name && x.format !== null))
            bad(`extra_fields: '${name}' is defined twice`);
          if (!out.fields.some((x) => x.name === name)) out.fields.push({ name, format: null });
        } else bad('extra_fields: expected a field name or {name: format}');
      }
    }
    if (e.suggested_output !== undefined && e.suggested_output !== null) {
      const s = str(e.suggested_output);
      if (!/^(true|false)$/i.test(s)) bad(`suggested_output: expected true or false, got '${s}'`);
      out.suggestedOutput = /^true$/i.test(s);
    }
    return out;
  });
}

export function readStaticFields(v: unknown, fail: Fail): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) return fail('static_fields: expected a map of names to values');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x !== null && typeof x === 'object') fail(`static_fields.${k}: expected a scalar`);
    out[k] = str(x);
  }
  return out;
}
