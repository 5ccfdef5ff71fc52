/**
 * Capture rows of `npm run bench` (root, native addon built): the load generator
 * (native/loadgen, tight raw-syscall loops) on 1 and 2 threads, its rate
 *   - with no probe,
 *   - with the count-only probe (programs attached, per-CPU counting, nothing written: the floor),
 *   - under our probe draining every event into an LZ4 scap file (the unfiltered `capture -w`
 *     path: the addon compresses batches with liblz4 on its native thread and JS appends the
 *     frames; "frames in JS": the path of filtered and -n/-M captures, where JS assembles the LZ4
 *     frames (src/codec/lz4.ts) and the addon's lz4CompressBlock compresses their blocks),
 * with slowdown ratios, events/s delivered and drop percentages, in one run; and the CPU time per
 * syscall of the loops (probe programs included) and of the consumer (this process: the addon's
 * thread, LZ4, JS), which, unlike the rates, do not depend on the CPU other work leaves.
 * The machine is shared and noisy: the rows run interleaved for BENCH_CAPTURE_ROUNDS rounds
 * and each row keeps its best rate and its lowest CPU times (noise only slows a run down); drops
 * are summed.
 *
 * Env: BENCH_CAPTURE_SECS (default 5; the 30 s soak: 30), BENCH_CAPTURE_MODE
 * (loadgen mode: getppid | close | openclose, default getppid), BENCH_CAPTURE_THREADS ("1,2"),
 * BENCH_CAPTURE_ROUNDS (default 3).
 * Also runnable alone: node dist/bench/capture.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { loadNative, nativeAddonPath, nativeBuilt, NativeProbeExt } from '../src/capture/native';
import { openTraceSink } from '../src/scap/compressed-sink';
import { ScapWriter } from '../src/scap/writer';

const ROOT = path.resolve(__dirname, '..', '..');
const LOADGEN = path.join(ROOT, 'build', 'Release', 'loadgen');

interface Row {
  name: string;
  threads: number;
  rate: number;
  /** loadgen CPU ns per syscall (user + system: the probe's programs run in its syscalls) */
  cpuNs: number;
  /** this process's CPU ns per loadgen syscall (consumer thread, JS) */
  consumerNs?: number;
  events?: number;
  drops?: number;
  seen?: number;
  mbps?: number;
}

interface LoadgenResult {
  rate: number;
  cpuNs: number;
  syscalls: number;
}

function runLoadgen(mode: string, threads: number, secs: number): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(LOADGEN, [mode, String(threads), String(secs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`loadgen exited with ${code}`));
      const r = JSON.parse(out) as { rate: number; cpu_ns: number; syscalls: number };
      resolve({ rate: r.rate, cpuNs: r.cpu_ns, syscalls: r.syscalls });
    });
  });
}

/** Runs the load under the probe; consumerNs: this process's CPU per loadgen syscall. */
async function withProbe(
  probe: NativeProbeExt,
  onBatch: (b: Buffer) => void,
  work: () => Promise<LoadgenResult>,
): Promise<LoadgenResult & { consumerNs: number }> {
  const cpu0 = process.cpuUsage();
  let done = false;
  const pump = (async () => {
    while (!done) {
      const b = await probe.wait(20);
      if (b) onBatch(b);
    }
  })();
  let r: LoadgenResult;
  try {
    r = await work();
  } finally {
    probe.close();
    done = true;
    await pump;
    for (let b = probe.read(); b; b = probe.read()) onBatch(b);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ...r, consumerNs: r.syscalls > 0 ? ((cpu.user + cpu.system) * 1000) / r.syscalls : 0 };
}

export async function runCaptureBench(): Promise<void> {
  const secs = Number(process.env.BENCH_CAPTURE_SECS ?? 5);
  const mode = process.env.BENCH_CAPTURE_MODE ?? 'getppid';
  const threadsList = (process.env.BENCH_CAPTURE_THREADS ?? '1,2').split(',').map(Number);
  console.log('');
  if (process.getuid?.() !== 0) {
    console.log('capture rows: skipped (not root: the BPF probe needs root)');
    return;
  }
  if (!nativeBuilt()) {
    console.log(`capture rows: skipped (native addon not built: ${nativeAddonPath()}; npm run build:native)`);
    return;
  }
  if (!fs.existsSync(LOADGEN)) {
    console.log(`capture rows: skipped (${LOADGEN} missing; npm run build:native)`);
    return;
  }
  const rounds = Math.max(1, Number(process.env.BENCH_CAPTURE_ROUNDS ?? 3));
  const mod = loadNative();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-bench-capture-'));
  const rows: Row[] = [];
  const keep = (r: Row) => {
    const old = rows.find((x) => x.name === r.name && x.threads === r.threads);
    if (old === undefined) {
      rows.push(r);
      return;
    }
    const seen = (old.seen ?? 0) + (r.seen ?? 0);
    const dropped = (old.drops ?? 0) * (old.seen ?? 0) + (r.drops ?? 0) * (r.seen ?? 0);
    const cpuNs = Math.min(old.cpuNs, r.cpuNs);
    const consumerNs = Math.min(old.consumerNs ?? Infinity, r.consumerNs ?? Infinity);
    if (r.rate > old.rate) Object.assign(old, r);
    old.cpuNs = cpuNs;
    if (Number.isFinite(consumerNs)) old.consumerNs = consumerNs;
    if (r.drops !== undefined) {
      old.seen = seen;
      old.drops = seen > 0 ? dropped / seen : 0;
    }
  };
  const captureRow = async (threads: number, nativeLz4: boolean): Promise<Row> => {
    const file = path.join(dir, `capture-${threads}.scap.lz4`);
    const sink = openTraceSink(file, 'lz4');
    const w = new ScapWriter(sink);
    w.writeSection({
      major: 1,
      minor: 2,
      machine: null,
      procs: [],
      fds: new Map(),
      users: [],
      groups: [],
      interfaces: [],
    });
    w.flush();
    const probe = mod.openProbe({ snaplen: 80, driver: 'ebpf', ...(nativeLz4 ? { compress: 'lz4' as const } : {}) });
    let lastFlush = Date.now();
    const t0 = Date.now();
    const res = await withProbe(
      probe,
      (b) => {
        const z = b as Buffer & { lz4Events?: number; rawLength?: number };
        if (z.lz4Events !== undefined)
          w.writeLz4Blocks(b, z.rawLength!, z.lz4Events); // frames from the addon
        else w.writeBlocks(b, 0); // complete event blocks: no decoding
        const now = Date.now();
        if (now - lastFlush >= 1000) {
          w.flush();
          lastFlush = now;
        }
      },
      () => runLoadgen(mode, threads, secs),
    );
    const el = (Date.now() - t0) / 1000;
    w.close();
    const st = probe.stats();
    fs.rmSync(file, { force: true });
    return {
      name: nativeLz4 ? 'capture -w (lz4)' : 'capture -w (frames in JS)',
      threads,
      rate: res.rate,
      cpuNs: res.cpuNs,
      consumerNs: res.consumerNs,
      events: st.delivered / el,
      seen: st.seen,
      drops: st.seen > 0 ? (st.droppedRingFull + st.droppedOther) / st.seen : 0,
      mbps: sink.bytesWritten / 1e6 / el,
    };
  };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const threads of threadsList) {
        const bare = await runLoadgen(mode, threads, secs);
        keep({ name: 'no probe', threads, rate: bare.rate, cpuNs: bare.cpuNs });
        const counting = mod.openProbe({ countOnly: true, driver: 'ebpf' });
        const c = await withProbe(
          counting,
          () => {
            /* nothing is written */
          },
          () => runLoadgen(mode, threads, secs),
        );
        keep({ name: 'count-only probe', threads, rate: c.rate, cpuNs: c.cpuNs, consumerNs: c.consumerNs });
        keep(await captureRow(threads, true));
        keep(await captureRow(threads, false));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  rows.sort((x, y) => x.threads - y.threads);

  console.log(
    `capture: loadgen ${mode}, ${secs} s per row, best of ${rounds} interleaved rounds (kernel ${os.release()}, ${os.cpus().length} CPUs)`,
  );
  // CPU per syscall: the loop's (probe programs included) + this process's (consumer); "vs count-only":
  // the ratio of the capture row's to the count-only row's, loop alone and loop + consumer
  const header = [
    'row',
    'threads',
    'loadgen syscalls/s',
    'slowdown',
    'vs count-only',
    'events/s to file',
    'drops',
    'lz4 MB/s',
    'CPU ns/syscall loop + consumer',
    'CPU vs count-only: loop, +consumer',
  ];
  const table: string[][] = [header];
  for (const r of rows) {
    const base = rows.find((x) => x.threads === r.threads && x.name === 'no probe')!;
    const floor = rows.find((x) => x.threads === r.threads && x.name === 'count-only probe');
    const slow = base.rate / r.rate;
    const floorSlow = floor ? base.rate / floor.rate : NaN;
    const capture = r.name.startsWith('capture');
    const total = (x: Row) => x.cpuNs + (x.consumerNs ?? 0);
    table.push([
      r.name,
      String(r.threads),
      Math.round(r.rate).toLocaleString('en-US'),
      `${slow.toFixed(2)}x`,
      capture && Number.isFinite(floorSlow) ? `${(slow / floorSlow).toFixed(2)}x` : '-',
      r.events !== undefined ? Math.round(r.events).toLocaleString('en-US') : '-',
      r.drops !== undefined ? `${(r.drops * 100).toFixed(2)}%` : '-',
      r.mbps !== undefined ? r.mbps.toFixed(1) : '-',
      `${r.cpuNs.toFixed(0)} + ${(r.consumerNs ?? 0).toFixed(0)}`,
      capture && floor ? `${(r.cpuNs / floor.cpuNs).toFixed(2)}x, ${(total(r) / total(floor)).toFixed(2)}x` : '-',
    ]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

if (require.main === module) {
  runCaptureBench().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
