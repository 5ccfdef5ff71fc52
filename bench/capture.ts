/**
 * Capture rows of `npm run bench` (root, native addon built): the load generator
 * (native/loadgen, tight raw-syscall loops) on 1 and 2 threads, its rate
 *   - with no probe,
 *   - with the count-only probe (programs attached, per-CPU counting, nothing written: the floor),
 *   - under our probe draining every event into an LZ4 scap file (the unfiltered `capture -w`
 *     path: batches of event blocks go to the sink without being decoded),
 * with slowdown ratios, events/s delivered and drop percentages, in one run.
 *
 * Env: BENCH_CAPTURE_SECS (default 5; the 30 s soak: 30), BENCH_CAPTURE_MODE
 * (loadgen mode: getppid | close | openclose, default getppid), BENCH_CAPTURE_THREADS ("1,2").
 * Also runnable alone: node dist/bench/capture.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { loadNative, nativeAddonPath, nativeBuilt, NativeProbeExt } from '../src/capture/native';
import { openTraceSink } from '../src/capture/compressed-sink';
import { ScapWriter } from '../src/capture/scap-writer';

const ROOT = path.resolve(__dirname, '..', '..');
const LOADGEN = path.join(ROOT, 'build', 'Release', 'loadgen');

interface Row {
  name: string;
  threads: number;
  rate: number;
  events?: number;
  drops?: number;
  seen?: number;
  mbps?: number;
}

function runLoadgen(mode: string, threads: number, secs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(LOADGEN, [mode, String(threads), String(secs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`loadgen exited with ${code}`));
      resolve(JSON.parse(out).rate as number);
    });
  });
}

async function withProbe(probe: NativeProbeExt, onBatch: (b: Buffer) => void, work: () => Promise<number>): Promise<number> {
  let done = false;
  const pump = (async () => {
    while (!done) {
      const b = await probe.wait(20);
      if (b) onBatch(b);
    }
  })();
  let rate: number;
  try {
    rate = await work();
  } finally {
    probe.close();
    done = true;
    await pump;
    for (let b = probe.read(); b; b = probe.read()) onBatch(b);
  }
  return rate;
}

export async function runCaptureBench(): Promise<void> {
  const secs = Number(process.env.BENCH_CAPTURE_SECS ?? 5);
  const mode = process.env.BENCH_CAPTURE_MODE ?? 'getppid';
  const threadsList = (process.env.BENCH_CAPTURE_THREADS ?? '1,2').split(',').map(Number);
  console.log('');
  if (process.getuid?.() !== 0) { console.log('capture rows: skipped (not root: the BPF probe needs root)'); return; }
  if (!nativeBuilt()) { console.log(`capture rows: skipped (native addon not built: ${nativeAddonPath()}; npm run build:native)`); return; }
  if (!fs.existsSync(LOADGEN)) { console.log(`capture rows: skipped (${LOADGEN} missing; npm run build:native)`); return; }
  const mod = loadNative();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-bench-capture-'));
  const rows: Row[] = [];
  try {
    for (const threads of threadsList) {
      rows.push({ name: 'no probe', threads, rate: await runLoadgen(mode, threads, secs) });

      const counting = mod.openProbe({ countOnly: true });
      const crate = await withProbe(counting, () => { /* nothing is written */ }, () => runLoadgen(mode, threads, secs));
      rows.push({ name: 'count-only probe', threads, rate: crate, seen: counting.stats().seen });

      const file = path.join(dir, `capture-${threads}.scap.lz4`);
      const sink = openTraceSink(file, 'lz4');
      const w = new ScapWriter(sink);
      w.writeSection({ major: 1, minor: 2, machine: null, procs: [], fds: new Map(), users: [], groups: [], interfaces: [] });
      w.flush();
      const probe = mod.openProbe({ snaplen: 80 });
      let lastFlush = Date.now();
      const t0 = Date.now();
      const rate = await withProbe(probe, (b) => {
        sink.write(b); // complete event blocks: the unfiltered fast path, no decoding
        const now = Date.now();
        if (now - lastFlush >= 1000) { sink.flush(); lastFlush = now; }
      }, () => runLoadgen(mode, threads, secs));
      const el = (Date.now() - t0) / 1000;
      sink.close();
      const st = probe.stats();
      rows.push({
        name: 'capture -w (lz4)', threads, rate, events: st.delivered / el, seen: st.seen,
        drops: st.seen > 0 ? (st.droppedRingFull + st.droppedOther) / st.seen : 0,
        mbps: fs.statSync(file).size / 1e6 / el,
      });
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`capture: loadgen ${mode}, ${secs} s per row (kernel ${os.release()}, ${os.cpus().length} CPUs)`);
  const header = ['row', 'threads', 'loadgen syscalls/s', 'slowdown', 'vs count-only', 'events/s to file', 'drops', 'lz4 MB/s'];
  const table: string[][] = [header];
  for (const r of rows) {
    const base = rows.find((x) => x.threads === r.threads && x.name === 'no probe')!;
    const floor = rows.find((x) => x.threads === r.threads && x.name === 'count-only probe');
    const slow = base.rate / r.rate;
    const floorSlow = floor ? base.rate / floor.rate : NaN;
    table.push([
      r.name, String(r.threads), Math.round(r.rate).toLocaleString('en-US'), `${slow.toFixed(2)}x`,
      r.name === 'capture -w (lz4)' && Number.isFinite(floorSlow) ? `${(slow / floorSlow).toFixed(2)}x` : '-',
      r.events !== undefined ? Math.round(r.events).toLocaleString('en-US') : '-',
      r.drops !== undefined ? `${(r.drops * 100).toFixed(2)}%` : '-',
      r.mbps !== undefined ? r.mbps.toFixed(1) : '-',
    ]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

if (require.main === module) {
  runCaptureBench().catch((e) => { console.error(String(e.message ?? e)); process.exit(1); });
}
