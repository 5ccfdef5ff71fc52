/**
 * Reporters for `falco-ts test`: one text line per case (with the differences below a
 * failing one) and a summary; a JSON document (--json); JUnit XML (--junit FILE).
 */
import * as path from 'node:path';
import type { CaseResult } from './runner';

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  durationMs: number;
}

export function summarize(results: CaseResult[], durationMs: number): Summary {
  const n = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    passed: n('pass'),
    failed: n('fail'),
    skipped: n('skip'),
    errors: n('error'),
    durationMs,
  };
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

const LABEL: Record<CaseResult['status'], string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', error: 'ERROR' };

export function caseLine(r: CaseResult, color = false): string {
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lab = LABEL[r.status].padEnd(5);
  const colored = r.status === 'pass' ? paint(32, lab) : r.status === 'skip' ? paint(33, lab) : paint(31, lab);
  let s = `${colored} ${rel(r.spec)} :: ${r.name}`;
  if (r.status === 'skip') return s + ` (${r.messages[0] ?? 'skipped'})`;
  s += ` (${r.durationMs} ms)`;
  if (r.status === 'pass' || r.messages.length === 0) return s;
  if (r.messages.length === 1 && !r.messages[0].includes('\n')) return s + ': ' + r.messages[0];
  return s + '\n' + r.messages.map((m) => '    - ' + m).join('\n');
}

export function summaryLine(s: Summary): string {
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.errors > 0) parts.push(`${s.errors} errors`);
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  const verdict = s.failed + s.errors > 0 ? 'FAILED' : 'OK';
  return `${verdict}: ${s.total} cases, ${parts.join(', ')} (${(s.durationMs / 1000).toFixed(2)} s)`;
}

export function jsonReport(results: CaseResult[], s: Summary): string {
  return JSON.stringify(
    {
      summary: s,
      cases: results.map((r) => ({
        spec: r.spec,
        name: r.name,
        status: r.status,
        messages: r.messages,
        alerts: r.alerts,
        counts: r.counts,
        duration_ms: r.durationMs,
      })),
    },
    null,
    2,
  );
}

const xml = (s: string): string =>
  s
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** JUnit XML: one <testsuite> per spec file, one <testcase> per case. */
export function junitReport(results: CaseResult[], s: Summary): string {
  const bySpec = new Map<string, CaseResult[]>();
  for (const r of results) {
    const l = bySpec.get(r.spec) ?? [];
    l.push(r);
    bySpec.set(r.spec, l);
  }
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<testsuites name="falco-ts test" tests="${s.total}" failures="${s.failed}" errors="${s.errors}" skipped="${s.skipped}" time="${secs(s.durationMs)}">\n`;
  for (const [spec, rs] of bySpec) {
    const sum = summarize(
      rs,
      rs.reduce((a, r) => a + r.durationMs, 0),
    );
    out += `  <testsuite name="${xml(rel(spec))}" tests="${sum.total}" failures="${sum.failed}" errors="${sum.errors}" skipped="${sum.skipped}" time="${secs(sum.durationMs)}">\n`;
    for (const r of rs) {
      out += `    <testcase classname="${xml(rel(spec))}" name="${xml(r.name)}" time="${secs(r.durationMs)}"`;
      const body = xml(r.messages.join('\n'));
      if (r.status === 'pass') out += '/>\n';
      else if (r.status === 'skip') out += `>\n      <skipped message="${body}"/>\n    </testcase>\n`;
      else if (r.status === 'fail')
        out += `>\n      <failure message="${xml(r.messages[0] ?? '')}">${body}</failure>\n    </testcase>\n`;
      else out += `>\n      <error message="${xml(r.messages[0] ?? '')}">${body}</error>\n    </testcase>\n`;
    }
    out += '  </testsuite>\n';
  }
  return out + '</testsuites>\n';
}
