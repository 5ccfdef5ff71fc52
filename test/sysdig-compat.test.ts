/**
 * `falco-ts replay F` against live `sysdig -r F` (both TZ=UTC) on every real capture in
 * ../shared/scap. Target: identical output. The committed baseline records the number of
 * identical lines reached so far per capture; the test fails if any capture regresses, and
 * prints the table so progress is visible. Refresh with FALCO_TS_UPDATE_BASELINE=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captures, runCli, runSysdig, sharedSkipReason, sysdigSkipReason, ROOT } from './helpers/env';
import { EVENTS, PPM_EVENT_MAX_E5C53D64 } from '../src/event/generated/events';

/** Event names that exist only in libs newer than sysdig 0.29.3's (codes >= 336). */
const LATER_ONLY = new Set<string>();
{
  const old = new Set(EVENTS.filter((e) => e && e.code < PPM_EVENT_MAX_E5C53D64).map((e) => e!.name));
  for (const e of EVENTS) if (e && e.code >= PPM_EVENT_MAX_E5C53D64 && !old.has(e.name)) LATER_ONLY.add(e.name);
}

/**
 * Deliberate difference (README): we print events of codes sysdig 0.29.3 does not know, and
 * count them in evt.num. To compare the rest, drop those lines and the evt.num column.
 */
function withoutLaterEvents(ours: string[], ref: string[]): [string[], string[]] | null {
  const kept = ours.filter((l) => !LATER_ONLY.has(l.split(' ')[6]));
  if (kept.length === ours.length) return null;
  const strip = (l: string) => l.slice(l.indexOf(' ') + 1);
  return [kept.map(strip), ref.map(strip)];
}

const BASELINE = path.join(ROOT, 'test', 'baselines', 'sysdig-compat.json');

interface Row {
  identical: number;
  sysdig: number;
  ours: number;
}

function lines(b: Buffer): string[] {
  const s = b.toString('latin1');
  if (s === '') return [];
  return s.replace(/\n$/, '').split('\n');
}

/** Lines of `ref` also present in `got` (multiset intersection: evt.num makes lines unique). */
export function identicalLines(ref: string[], got: string[]): number {
  const bag = new Map<string, number>();
  for (const l of got) bag.set(l, (bag.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of ref) {
    const c = bag.get(l);
    if (c) {
      n++;
      bag.set(l, c - 1);
    }
  }
  return n;
}

test('replay prints what sysdig -r prints, on every capture sysdig opens', (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const baseline: Record<string, Row> = fs.existsSync(BASELINE) ? JSON.parse(fs.readFileSync(BASELINE, 'utf8')) : {};
  const results: Record<string, Row> = {};
  const report: string[] = [];
  let totalSame = 0,
    totalRef = 0;
  for (const file of captures()) {
    const name = path.basename(file);
    const ref = runSysdig(['-r', file]);
    if (ref.status !== 0) {
      // sysdig 0.29.3 cannot open it (libs_curl_google_comments.scap: SHB options); we must.
      const ours = runCli(['replay', file]);
      assert.equal(ours.status, 0, `${name}: sysdig fails on it but we must read it: ${ours.stderr}`);
      report.push(`${name}: sysdig cannot read it; we print ${lines(ours.stdout).length} lines`);
      continue;
    }
    const ours = runCli(['replay', file]);
    let r = lines(ref.stdout),
      o = lines(ours.stdout);
    const norm = withoutLaterEvents(o, r);
    if (norm) [o, r] = norm;
    const same = identicalLines(r, o);
    results[name] = { identical: same, sysdig: r.length, ours: o.length };
    totalSame += same;
    totalRef += r.length;
    report.push(
      `${name}: ${same}/${r.length} identical (ours ${o.length} lines)${norm ? ' [newer-libs events and evt.num left out]' : ''}${ours.status !== 0 ? ` exit ${ours.status}: ${ours.stderr.toString().trim()}` : ''}`,
    );
  }
  report.push(
    `TOTAL: ${totalSame}/${totalRef} lines identical (${((100 * totalSame) / Math.max(1, totalRef)).toFixed(2)}%)`,
  );
  t.diagnostic(report.join('\n'));
  console.log(report.join('\n'));
  if (process.env.FALCO_TS_UPDATE_BASELINE === '1') {
    fs.writeFileSync(BASELINE, JSON.stringify(results, null, 1) + '\n');
    return;
  }
  for (const [name, row] of Object.entries(results)) {
    const base = baseline[name];
    if (!base) continue;
    assert.ok(
      row.identical >= base.identical,
      `${name}: ${row.identical} identical lines, fewer than the baseline ${base.identical}`,
    );
  }
});
