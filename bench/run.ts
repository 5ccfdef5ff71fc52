/**
 * `npm run bench`: falco-ts against sysdig on the same ≥1M-event trace, side by side in one
 * run (these machines are noisy: compare the ratio, not the seconds). Rows: default lines,
 * a -p template, -j, a filter that matches nothing, and selective, broad and state-heavy
 * filters (issue 3); plus peak RSS of each run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeBenchTrace } from './make-trace';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'falco-ts');
const SRC = process.env.BENCH_SRC ?? path.resolve(ROOT, '..', 'shared', 'scap', 'sysdiginspect_502Error.scap');
const MIN_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Measure { secs: number; rssMb: number; ok: boolean; err: string }

/** Runs a command with stdout to /dev/null under /usr/bin/time; best wall time of RUNS. */
function measure(cmd: string[]): Measure {
  let best: Measure = { secs: Infinity, rssMb: 0, ok: false, err: '' };
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...cmd], {
      env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26,
    });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const errLines = r.stderr.toString().trim().split('\n');
    const rssKb = Number(errLines[errLines.length - 1]);
    const ok = r.status === 0;
    if (!ok) return { secs, rssMb: rssKb / 1024, ok, err: errLines.slice(0, -1).join(' ').slice(0, 200) };
    if (secs < best.secs) best = { secs, rssMb: rssKb / 1024, ok, err: '' };
  }
  return best;
}

function main(): void {
  if (!fs.existsSync('/usr/bin/time')) throw new Error('bench needs /usr/bin/time (apt-get install time)');
  const haveSysdig = spawnSync('sh', ['-c', 'command -v sysdig']).status === 0;
  const dir = path.join(os.tmpdir(), 'falco-ts-bench');
  fs.mkdirSync(dir, { recursive: true });
  const trace = path.join(dir, `bench-${path.basename(SRC, '.scap')}-${MIN_EVENTS}.scap`);
  let nevents: number;
  const meta = trace + '.events';
  if (fs.existsSync(trace) && fs.existsSync(meta)) {
    nevents = Number(fs.readFileSync(meta, 'utf8'));
  } else {
    nevents = makeBenchTrace(SRC, trace, MIN_EVENTS);
    fs.writeFileSync(meta, String(nevents));
  }
  const mb = fs.statSync(trace).size / 1e6;
  console.log(`trace: ${trace} (${nevents} events, ${mb.toFixed(1)} MB), best of ${RUNS} runs each`);
  const rows: Array<[string, string[]]> = [
    ['default line', []],
    ["-p '%evt.num %proc.name %fd.name'", ['-p', '%evt.num %proc.name %fd.name']],
    ['-j', ['-j']],
    ['filter matching nothing', ['proc.name=nonexistent_xyz']],
    // Issue 3's filter rows. The trace (from sysdiginspect_502Error.scap, 2017) has no openat and
    // no process whose aname[2] is bash: these are the equivalents that exist in it.
    ['filter selective: evt.type=open and proc.name=curl', ['evt.type=open and proc.name=curl']],
    ['filter broad (most events), -p %evt.num', ['-p', '%evt.num', 'evt.type!=switch and (proc.name in (curl, haproxy, python) or fd.type=ipv4)']],
    ['filter state-heavy: ancestors and fd paths/ports', ['(proc.aname[2]=tini or proc.pname=curl) and (fd.directory=/etc or fd.sport=80)']],
  ];
  const header = ['row', 'falco-ts ev/s', 'sysdig ev/s', 'speedup', 'falco-ts RSS MB', 'sysdig RSS MB'];
  const table: string[][] = [header];
  for (const [name, args] of rows) {
    const ours = measure([process.execPath, BIN, 'replay', trace, ...args]);
    const ref = haveSysdig ? measure(['sysdig', '-r', trace, ...args]) : null;
    const oursEps = ours.ok ? nevents / ours.secs : NaN;
    const refEps = ref && ref.ok ? nevents / ref.secs : NaN;
    table.push([
      name,
      ours.ok ? Math.round(oursEps).toLocaleString('en-US') : `failed: ${ours.err}`,
      ref ? (ref.ok ? Math.round(refEps).toLocaleString('en-US') : `failed: ${ref.err}`) : 'sysdig not installed',
      Number.isFinite(oursEps / refEps) ? `${(oursEps / refEps).toFixed(2)}x` : '-',
      ours.ok ? ours.rssMb.toFixed(0) : '-',
      ref && ref.ok ? ref.rssMb.toFixed(0) : '-',
    ]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

main();
// Capture rows (native probe, root only; skipped with a note otherwise): bench/capture.ts
void import('./capture').then((m) => m.runCaptureBench()).catch((e) => { console.error(`capture rows failed: ${String(e?.message ?? e)}`); process.exitCode = 1; });
