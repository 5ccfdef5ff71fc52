/**
 * `falco-ts capture --explain [-r RULES]... [FILTER]`: what a capture would test in the kernel
 * (the pushdown of the filter, or of the OR of the enabled rules' conditions, or both ANDed),
 * what userspace re-checks, and which events pass regardless so that the state stays whole.
 * Prints and returns; nothing is attached.
 */
import type { Node } from '../filter/ast';
import { explainPushdown } from '../filter/pushdown';
import { buildFilter } from '../pipeline/start';
import { InputError } from '../util/errors';
import { lazy } from '../util/lazy';

const rulesModule = lazy(() => require('../rules') as typeof import('../rules'));

export interface ExplainOptions {
  filter: string;
  rules: string[];
  /** where the lines go (stdout) */
  write(line: string): void;
}

export function explainCapture(o: ExplainOptions): number {
  const filter = buildFilter(o.filter);
  let rules: Node[] | null = null;
  if (o.rules.length > 0) {
    const session = rulesModule().RulesSession.load({ rules: o.rules });
    rules = session.engine.enabled.map((r) => r.filter.expanded);
  }
  if (filter === null && rules === null) throw new InputError('--explain needs a filter or -r rules', 2);
  let asts: Node[];
  if (rules === null) asts = [filter!.expanded];
  else if (filter === null) asts = rules;
  else {
    // the filter gates the rules: both must hold
    const any: Node = { kind: 'or', children: rules, start: 0, end: 0 };
    asts = [{ kind: 'and', children: [filter.expanded, any], start: 0, end: 0 }];
  }
  const user =
    rules === null ? undefined : `${filter !== null ? 'the filter and ' : ''}any of the ${rules.length} enabled rules`;
  const lines = explainPushdown(asts, user);
  for (const l of lines) o.write(l);
  return 0;
}
