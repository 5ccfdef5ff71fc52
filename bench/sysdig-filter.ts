/**
 * The sysdig side of the rules row: sysdig 0.29.3 has no rules engine, so it replays the trace
 * with one filter, the OR of the rules' conditions as our loader compiled them (macros
 * expanded, lists substituted, every and/or/not group parenthesised: `expandedCondition`,
 * also printed by `falco-ts rules conditions --or`).
 *
 * sysdig 0.29.3 predates fields that stable rules use (fd.nameraw, proc.pexe,
 * thread.cap_effective, proc.is_exe_upper_layer, proc.is_exe_from_memfd, ...). Each enabled
 * syscall rule's condition is first compiled by sysdig alone (`sysdig -r PROBE -n 1 COND`,
 * on a small trace); the rules whose condition it rejects are left out of the filter and
 * reported with sysdig's error. No field is rewritten.
 */
import { spawnSync } from 'node:child_process';
import { RulesLoader, expandedCondition, formatResult } from '../src/rules';
import { fieldRegistry } from '../src/filter/fields/registry';

export interface SysdigRulesFilter {
  /** the OR of the kept conditions ('' when none is kept) */
  filter: string;
  kept: string[];
  dropped: { rule: string; error: string }[];
  /** enabled syscall rules considered */
  total: number;
}

export function buildSysdigRulesFilter(rulesFile: string, probeTrace: string): SysdigRulesFilter {
  const loader = new RulesLoader({ registry: fieldRegistry });
  for (const r of loader.loadPath(rulesFile)) if (!r.ok) throw new Error(formatResult(r, false));
  const rules = loader.ruleset.rules.filter((r) => r.enabled && r.source === 'syscall');
  const kept: string[] = [];
  const conds: string[] = [];
  const dropped: { rule: string; error: string }[] = [];
  for (const r of rules) {
    const cond = expandedCondition(r);
    const p = spawnSync('sysdig', ['-r', probeTrace, '-n', '1', cond], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (p.status === 0) {
      kept.push(r.name);
      conds.push(cond);
    } else {
      dropped.push({ rule: r.name, error: p.stderr.toString().trim().split('\n')[0] || `exit status ${p.status}` });
    }
  }
  const filter = conds.length === 0 ? '' : '(' + conds.join(' or ') + ')';
  return { filter, kept, dropped, total: rules.length };
}
