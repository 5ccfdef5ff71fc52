/**
 * Rule testing (`falco-ts test`): spec files (spec.ts) → cases run over traces (runner.ts) →
 * text / JSON / JUnit reports (report.ts); `--record` (record.ts) turns a command run under
 * our capture into a new case.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSpec, type TestCase } from './spec';
import { runCase, type CaseResult } from './runner';
import { InputError } from '../util/errors';

export { loadSpec, specFromObject, resolvePath, sharedDir } from './spec';
export type { SpecFile, TestCase, Expect, CaseOptions, CountSpec } from './spec';
export { runCase, collectAlerts, compareAlerts, countOk } from './runner';
export type { CaseResult, Alert, Status } from './runner';
export { summarize, caseLine, summaryLine, jsonReport, junitReport } from './report';
export type { Summary } from './report';

/** Spec files named on the command line: files, or directories (their *.yaml / *.yml, recursively). */
export function expandSpecPaths(args: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw new InputError(`${a}: no such spec file`);
    }
    if (st.isDirectory()) walk(a);
    else out.push(a);
  }
  return out;
}

export interface RunOptions {
  /** only cases whose name contains this substring */
  filter?: string;
  onResult?: (r: CaseResult) => void;
}

/** Loads every spec (all before running, so a malformed one fails fast) and runs its cases in order. */
export async function runSpecs(files: string[], o: RunOptions = {}): Promise<CaseResult[]> {
  const cases: TestCase[] = [];
  for (const f of files) cases.push(...loadSpec(f).cases);
  const results: CaseResult[] = [];
  for (const c of cases) {
    if (o.filter !== undefined && !c.name.includes(o.filter)) continue;
    const r = await runCase(c);
    results.push(r);
    o.onResult?.(r);
  }
  return results;
}
