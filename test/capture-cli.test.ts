/**
 * Live capture, JS side (src/cli/capture.ts, src/cli/live.ts, src/capture/live-source.ts,
 * src/capture/rotation.ts):
 *
 *  - CLI parsing of `capture` and of the default (live) action, usage errors (exit 2), the
 *    not-root and addon-missing messages (exit 1);
 *  - rotation naming exactly as sysdig's cycle writer, and the rotation limits;
 *  - the whole pipeline with a fake probe that delivers the event blocks of a real capture
 *    in batches (what the addon hands JS): the unfiltered fast path (no decoding), the
 *    filtered path (matching events + hidden state events), -n, -e/-C/-G/-W rotation, the
 *    live terminal output, SIGINT handling and the flush-every-second guarantee;
 *  - end to end with the real probe when the addon loads and we are root (required in CI
 *    as root): a script's open/write, execve, TCP connect, rename and unlink are found by
 *    replay, and sysdig -r prints the same lines for the gzip and raw files.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { Command } from 'commander';
import { readTraceFile } from '../src/scap/file-source';
import { MemorySink } from '../src/scap/compressed-sink';
import { ScapWriter } from '../src/scap/writer';
import type { SectionMetadata } from '../src/scap/metadata';
import type { NativeProbe, ProbeOptions, ProbeStats } from '../src/capture/native-api';
import { FileNamer, rotationUsageError, strftime } from '../src/capture/rotation';
import { formatSummary, frameEnds, kernelEventTypes, privilegeProblem } from '../src/capture/live-source';
import { capture, registerCapture, CaptureOptions } from '../src/cli/capture';
import { live, registerLive, LiveOptions } from '../src/cli/live';
import { buildFilter } from '../src/pipeline/start';
import {
  BIN,
  ROOT,
  SCAP_DIR,
  liveSkipReason,
  nativeLoadable,
  runCli,
  runSysdig,
  sharedSkipReason,
  sysdigSkipReason,
  tmpDir,
} from './helpers/env';

const TMP = tmpDir('falco-ts-capture-');
process.on('exit', () => {
  try {
    fs.rmSync(TMP, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
});
const SAMPLE = path.join(SCAP_DIR, 'falco_cat_write.scap');

// ---------------------------------------------------------------------------------------------
// a fake probe: the event blocks of a real trace, in batches

interface Recorded {
  meta: SectionMetadata;
  blocks: Buffer;
  count: number;
}

async function recordTrace(file: string): Promise<Recorded> {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  let meta: SectionMetadata | null = null;
  let start = 0;
  let count = 0;
  await readTraceFile(file, {
    onSection: (m) => {
      meta = m;
      w.writeSection({ ...m, procs: [], fds: new Map(), users: [], groups: [], interfaces: [], machine: null });
      start = w.offset;
    },
    onEvent: (ev) => {
      w.writeEvent(ev, ev.dumpFlags);
      count++;
    },
  });
  w.close();
  return { meta: meta!, blocks: sink.contents().subarray(start), count };
}

function splitBatches(blocks: Buffer, perBatch: number): Buffer[] {
  const { ends, count } = frameEnds(blocks);
  const out: Buffer[] = [];
  let s = 0;
  for (let i = perBatch - 1; ; i += perBatch) {
    const k = Math.min(i, count - 1);
    out.push(blocks.subarray(s, ends[k]));
    s = ends[k];
    if (k === count - 1) break;
  }
  return out;
}

class FakeProbe implements NativeProbe {
  closed = false;
  opts: ProbeOptions | null = null;
  private i = 0;
  private delivered = 0;
  constructor(
    private readonly batches: Buffer[],
    private readonly repeat = 1,
    private readonly delayMs = 0,
  ) {}
  private next(): Buffer | null {
    if (this.i >= this.batches.length * this.repeat) return null;
    const b = this.batches[this.i % this.batches.length];
    this.i++;
    this.delivered += frameEnds(b).count;
    return b;
  }
  read(): Buffer | null {
    return this.delayMs > 0 && !this.closed ? null : this.next();
  }
  async wait(ms: number): Promise<Buffer | null> {
    await new Promise((r) => setTimeout(r, Math.min(ms, Math.max(this.delayMs, 2))));
    return this.next();
  }
  stats(): ProbeStats {
    return {
      seen: this.delivered + 3,
      delivered: this.delivered,
      droppedRingFull: 2,
      droppedOther: 1,
      batches: this.i,
    };
  }
  close(): void {
    this.closed = true;
  }
}

let sample: Recorded | null = null;
async function getSample(t: TestContext): Promise<Recorded | null> {
  // (typed: the fake probe and snapshot closures refer to it)
  const skip = sharedSkipReason();
  if (skip !== null) {
    t.skip(skip);
    return null;
  }
  if (sample === null) sample = await recordTrace(SAMPLE);
  return sample;
}

function fake(
  s: Recorded,
  perBatch = 7,
  repeat = 1,
  delayMs = 0,
): { probe: FakeProbe; open: (o: ProbeOptions) => NativeProbe } {
  const probe = new FakeProbe(splitBatches(s.blocks, perBatch), repeat, delayMs);
  return {
    probe,
    open: (o) => {
      probe.opts = o;
      return probe;
    },
  };
}

/** Silences the summary line a capture prints on stderr. */
async function quietly<T>(f: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const orig = process.stderr.write.bind(process.stderr);
  let err = '';
  (process.stderr as unknown as { write: (s: string) => boolean }).write = (s: string) => {
    err += s;
    return true;
  };
  try {
    return { value: await f(), stderr: err };
  } finally {
    (process.stderr as unknown as { write: typeof orig }).write = orig;
  }
}

async function countEvents(file: string): Promise<{ events: number; sections: SectionMetadata[]; hidden: number }> {
  let events = 0;
  let hidden = 0;
  const sections: SectionMetadata[] = [];
  await readTraceFile(file, {
    onSection: (m) => sections.push(m),
    onEvent: (ev) => {
      events++;
      if (ev.dumpFlags & 1) hidden++;
    },
  });
  return { events, sections, hidden };
}

/** a file name as a literal in a RegExp */
function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function replayLines(args: string[]): string {
  const r = runCli(['replay', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// CLI parsing and usage errors

function parseCapture(argv: string[]): CaptureOptions {
  let got: CaptureOptions | null = null;
  const program = new Command().exitOverride();
  registerCapture(
    program,
    () => {
      /* */
    },
    (o) => {
      got = o;
      return Promise.resolve(0);
    },
  );
  program.parse(['node', 'falco-ts', ...argv]);
  assert.ok(got);
  return got;
}

function parseLive(argv: string[]): LiveOptions {
  let got: LiveOptions | null = null;
  const program = new Command().exitOverride();
  program
    .command('replay')
    .argument('<f...>')
    .option('-p <x>')
    .action(() => {
      throw new Error('replay ran');
    });
  registerLive(
    program,
    () => {
      /* */
    },
    (o) => {
      got = o;
      return Promise.resolve(0);
    },
  );
  program.parse(['node', 'falco-ts', ...argv]);
  assert.ok(got);
  return got;
}

test('capture: flags and the filter words', () => {
  const o = parseCapture([
    'capture',
    '-w',
    'x.scap',
    '-z',
    'gzip',
    '-n',
    '100',
    '-M',
    '5',
    '-s',
    '256',
    '-C',
    '10',
    '-W',
    '3',
    'proc.name',
    '=',
    'cat',
    'and',
    'evt.type=open',
  ]);
  assert.equal(o.write, 'x.scap');
  assert.equal(o.compression, 'gzip');
  assert.equal(o.numEvents, 100);
  assert.equal(o.durationSec, 5);
  assert.equal(o.snaplen, 256);
  assert.equal(o.rolloverMB, 10);
  assert.equal(o.fileLimit, 3);
  assert.equal(o.filter, 'proc.name = cat and evt.type=open');
  const d = parseCapture(['capture', '-w', 'y', '-G', '60', '-e', '1000']);
  assert.equal(d.compression, 'lz4');
  assert.equal(d.rotateSec, 60);
  assert.equal(d.eventLimit, 1000);
  assert.equal(d.filter, '');
});

test('live mode is the default action; subcommands keep their own options', () => {
  const o = parseLive(['-n', '1', '-p', '%proc.name\\t%evt.type', '-j', 'proc.name=cat']);
  assert.equal(o.numEvents, 1);
  assert.equal(o.format, '%proc.name\t%evt.type');
  assert.equal(o.json, true);
  assert.equal(o.bufferFormat, 'json');
  assert.equal(o.filter, 'proc.name=cat');
  const v = parseLive(['-X', '-v', '-M', '3', 'evt.type', 'in', '(open,', 'openat)', '--no-color']);
  assert.equal(v.bufferFormat, 'hexascii');
  assert.equal(v.verbose, true);
  assert.equal(v.durationSec, 3);
  assert.equal(v.color, false);
  assert.equal(v.filter, 'evt.type in (open, openat)');
  const none = parseLive([]);
  assert.equal(none.filter, '');
  // `replay` is still the subcommand, its -p its own
  const program = new Command().exitOverride();
  let ran = '';
  program
    .command('replay')
    .argument('<f...>')
    .option('-p <x>')
    .action((f: string[], opt: { p?: string }) => {
      ran = `${f.join(',')}|${opt.p}`;
    });
  registerLive(
    program,
    () => {
      /* */
    },
    () => {
      ran = 'live';
      return Promise.resolve(0);
    },
  );
  program.parse(['node', 'falco-ts', 'replay', 'a.scap', '-p', 'X']);
  assert.equal(ran, 'a.scap|X');
});

test('usage errors: one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [
      ['capture', '-w', path.join(TMP, 'u.scap'), '-z', 'zstd'],
      /^falco-ts: -z: expected lz4, gzip or none, got 'zstd'\n$/,
    ],
    [['capture', '-w', path.join(TMP, 'u.scap'), '-W', '3'], /^falco-ts: -W needs -C, -G or -e\n$/],
    [['capture', '-w', path.join(TMP, 'u.scap'), '-C', '0'], /^falco-ts: -C: expected a positive integer, got '0'\n$/],
    [
      ['capture', '-w', path.join(TMP, 'u.scap'), '-n', 'many'],
      /^falco-ts: -n: expected a non-negative integer, got 'many'\n$/,
    ],
    [['capture', '-w', path.join(TMP, 'u.scap'), 'proc.name', '=='], /^falco-ts: filter error at column \d+: /],
    [
      ['capture', '-w', path.join(TMP, 'u.scap'), '-s', '70000'],
      /^falco-ts: -s: expected a snaplen between 0 and 65535\n$/,
    ],
    [['-t', 'q'], /^falco-ts: -t: expected one of h, a, r, d, D, got 'q'\n$/],
    [['proc.name', 'contains'], /^falco-ts: filter error at column/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr.toString()}`);
    assert.match(r.stderr.toString(), re, args.join(' '));
    assert.equal(r.stdout.length, 0);
  }
  const miss = runCli(['capture']);
  assert.equal(miss.status, 2);
  assert.match(miss.stderr.toString(), /required option '-w, --write <file>' not specified/);
  assert.equal(fs.existsSync(path.join(TMP, 'u.scap')), false, 'no file created on a usage error');
});

test('not root: one line, exit 1', (t) => {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  if (process.geteuid!() !== 0 || setpriv === undefined) {
    // as a normal user the plain run shows it
    if (process.geteuid!() !== 0) {
      const r = runCli(['capture', '-w', path.join(TMP, 'nr.scap')]);
      assert.equal(r.status, 1);
      assert.equal(r.stderr.toString(), 'falco-ts: live capture needs root (or CAP_BPF+CAP_PERFMON): run as root\n');
      return;
    }
    t.skip('setpriv not found to drop root');
    return;
  }
  // drop to nobody with no capabilities (dist is world-readable in a normal checkout)
  for (const args of [
    ['capture', '-w', path.join(os_tmp(), `falco-ts-nr-${process.pid}.scap`)],
    ['-n', '1'],
  ]) {
    const r: SpawnSyncReturns<Buffer> = spawnSync(
      setpriv,
      ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, BIN, ...args],
      { cwd: '/' },
    );
    if (r.status !== 1 && /Cannot find module|EACCES|not built/.test(r.stderr.toString())) {
      t.skip('the checkout is not readable by nobody');
      return;
    }
    assert.equal(
      r.stderr.toString(),
      'falco-ts: live capture needs root (or CAP_BPF+CAP_PERFMON): run as root\n',
      args.join(' '),
    );
    assert.equal(r.status, 1);
  }
  assert.equal(privilegeProblem(), null, 'root may capture');
});

function os_tmp(): string {
  return os.tmpdir();
}

test('addon not built: the NativeError message, one line, exit 1', (t) => {
  const why = nativeLoadable();
  if (why === null) {
    t.skip('the native addon loads here');
    return;
  }
  if (process.geteuid!() !== 0) {
    t.skip('not root: the privilege message comes first');
    return;
  }
  for (const args of [
    ['capture', '-w', path.join(TMP, 'nb.scap')],
    ['-n', '1', 'proc.name=x'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 1, r.stderr.toString());
    assert.equal(r.stderr.toString(), `falco-ts: ${why}\n`);
    assert.equal(r.stderr.toString().split('\n').length, 2, 'one line');
  }
  assert.equal(fs.existsSync(path.join(TMP, 'nb.scap')), false, 'no file when the probe cannot start');
});

// ---------------------------------------------------------------------------------------------
// rotation naming and limits

test('rotation names follow sysdig cycle_writer', () => {
  const names = (o: ConstructorParameters<typeof FileNamer>[0], n: number, when = new Date(2024, 0, 2, 3, 4, 5)) => {
    const f = new FileNamer(o);
    return Array.from({ length: n }, () => f.next(when).name);
  };
  const base = { base: 'cap.scap', compression: 'none' as const };
  assert.deepEqual(names(base, 2), ['cap.scap', 'cap.scap']);
  assert.deepEqual(names({ ...base, rolloverMB: 10 }, 3), ['cap.scap0', 'cap.scap1', 'cap.scap2']);
  assert.deepEqual(names({ ...base, rolloverMB: 10, fileLimit: 3 }, 5), [
    'cap.scap0',
    'cap.scap1',
    'cap.scap2',
    'cap.scap0',
    'cap.scap1',
  ]);
  assert.deepEqual(names({ ...base, rolloverMB: 10, fileLimit: 10 }, 11).slice(9), ['cap.scap09', 'cap.scap00']);
  assert.deepEqual(names({ ...base, rolloverMB: 1, fileLimit: 100 }, 1), ['cap.scap000']);
  assert.deepEqual(names({ ...base, durationSec: 60 }, 3), ['cap.scap0', 'cap.scap1', 'cap.scap2']);
  assert.deepEqual(names({ ...base, durationSec: 60, rolloverMB: 5 }, 2), ['cap.scap00', 'cap.scap11']);
  assert.deepEqual(names({ ...base, eventLimit: 1000 }, 2), ['cap.scap0', 'cap.scap1']);
  assert.deepEqual(names({ ...base, eventLimit: 1000, fileLimit: 2 }, 3), ['cap.scap0', 'cap.scap1', 'cap.scap0']);
  assert.deepEqual(names({ base: 'cap-%Y%m%d-%H%M%S.scap', compression: 'none', durationSec: 60 }, 1), [
    'cap-20240102-030405.scap',
  ]);
  // a -G ring with a pattern removes the name it replaces
  const f = new FileNamer({ base: 'c-%S', compression: 'none', durationSec: 1, fileLimit: 2 });
  assert.deepEqual(f.next(new Date(2024, 0, 1, 0, 0, 1)), { name: 'c-01', previous: null });
  assert.deepEqual(f.next(new Date(2024, 0, 1, 0, 0, 2)), { name: 'c-02', previous: null });
  assert.deepEqual(f.next(new Date(2024, 0, 1, 0, 0, 3)), { name: 'c-03', previous: 'c-01' });
  assert.equal(strftime('%j %e %% %q', new Date(2024, 1, 3)), '034  3 % %q');
  assert.equal(rotationUsageError({ ...base, fileLimit: 2 }), '-W needs -C, -G or -e');
  assert.equal(rotationUsageError({ ...base, fileLimit: 2, durationSec: 5 }), null);
});

test('in-kernel selection: the filter types plus the state-changing ones, with their pairs', () => {
  assert.equal(kernelEventTypes(null), null);
  assert.equal(kernelEventTypes(buildFilter('proc.name=cat')!.eventTypes), null);
  const t = kernelEventTypes(buildFilter('evt.type=write and proc.name=cat')!.eventTypes)!;
  assert.ok(t !== null);
  for (const c of [8, 9]) assert.ok(t.includes(c), `write ${c}`); // write e/x
  for (const c of [2, 3, 4, 5]) assert.ok(t.includes(c), `open/close ${c}`);
  const execveX = 293; // PPME_SYSCALL_EXECVE_19_X
  assert.ok(t.includes(execveX) && t.includes(execveX - 1), 'execve');
  assert.ok(t.includes(186), 'procexit');
  assert.ok(!t.includes(6) && !t.includes(7), 'read is not needed');
  assert.deepEqual(
    t,
    [...t].sort((a, b) => a - b),
  );
});

test('summary line', () => {
  assert.equal(
    formatSummary({
      events: 10,
      stats: { seen: 12, delivered: 10, droppedRingFull: 1, droppedOther: 1, batches: 1 },
      bytesWritten: 2_500_000,
      files: ['a.scap'],
      durationMs: 1500,
    }),
    'falco-ts: 10 events, 2 dropped (ring full 1, other 1), 12 seen by the probe, 2.50 MB written to a.scap, 1.50 s',
  );
  assert.equal(formatSummary({ events: 0, stats: null, durationMs: 0 }), 'falco-ts: 0 events, drops unknown, 0.00 s');
  // live mode with rules: the events judged and the alerts raised
  assert.equal(
    formatSummary({
      events: 1051,
      alerts: 1,
      stats: { seen: 1051, delivered: 1051, droppedRingFull: 0, droppedOther: 0, batches: 3 },
      durationMs: 6040,
    }),
    'falco-ts: 1051 events, 1 alert, 0 dropped, 1051 seen by the probe, 6.04 s',
  );
  assert.match(formatSummary({ events: 5, alerts: 0, stats: null, durationMs: 0 }), /^falco-ts: 5 events, 0 alerts, /);
});

// ---------------------------------------------------------------------------------------------
// the pipeline with a fake probe

test('unfiltered: blocks go to the file as they are, after the snapshot; replay and sysdig read it', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  for (const z of ['none', 'gzip', 'lz4'] as const) {
    const out = path.join(TMP, `fast-${z}.scap`);
    const f = fake(s, 5);
    const { value, stderr } = await quietly<number>(() =>
      capture({
        write: out,
        compression: z,
        filter: '',
        durationSec: 0.3,
        openProbe: f.open,
        snapshot: (): SectionMetadata => s.meta,
      }),
    );
    assert.equal(value, 0);
    assert.equal(f.probe.closed, true);
    assert.equal(f.probe.opts!.eventTypes, null);
    assert.deepEqual(f.probe.opts!.ignorePids, [process.pid]);
    assert.equal(f.probe.opts!.snaplen, 80);
    assert.match(
      stderr,
      new RegExp(
        `^falco-ts: ${s.count} events, 3 dropped \\(ring full 2, other 1\\), ${s.count + 3} seen by the probe, .* written to ${esc(out)}, \\d+\\.\\d\\d s\\n` +
          // an LZ4 file: how to get one sysdig reads
          (z !== 'lz4'
            ? '$'
            : `falco-ts: ${esc(out)} is LZ4-compressed, which sysdig and Falco do not read: capture with -z gzip, or run 'falco-ts convert ${esc(out)} ${esc(out.replace(/\.scap$/, '.gz.scap'))} -z gzip'\\n$`),
      ),
    );
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const c = await countEvents(out);
    assert.equal(c.events, s.count);
    assert.equal(c.sections.length, 1);
    assert.equal(c.sections[0].procs.length, s.meta.procs.length);
    // the same lines as the original
    assert.equal(replayLines([out]), replayLines([SAMPLE]));
    if (z !== 'lz4' && sysdigSkipReason() === null) {
      const a = runSysdig(['-r', out]);
      const b = runSysdig(['-r', SAMPLE]);
      assert.equal(a.status, 0, a.stderr.toString());
      assert.equal(a.stdout.toString('latin1'), b.stdout.toString('latin1'));
    }
  }
});

test('unfiltered -n: exactly N events, the batch cut at a block boundary', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const out = path.join(TMP, 'fast-n.scap');
  const f = fake(s, 9);
  await quietly<number>(() =>
    capture({
      write: out,
      compression: 'lz4',
      filter: '',
      numEvents: 23,
      openProbe: f.open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  assert.equal((await countEvents(out)).events, 23);
});

test('filtered: matching events, their enters and the state events hidden; the same lines as replay with the filter', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const filter = 'proc.name=cat and evt.type in (open, openat, write, read)';
  const out = path.join(TMP, 'filtered.scap');
  const f = fake(s, 4);
  const { stderr } = await quietly<number>(() =>
    capture({
      write: out,
      compression: 'none',
      filter,
      durationSec: 0.3,
      openProbe: f.open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  const types = f.probe.opts!.eventTypes!;
  assert.ok(Array.isArray(types) && types.length > 0 && types.includes(8) && types.includes(2));
  const fmt = ['-p', '%evt.outputtime %proc.name (%thread.tid) %evt.dir %evt.type %evt.info'];
  const want = replayLines([SAMPLE, ...fmt, filter]);
  assert.ok(want.split('\n').length > 5, 'the sample has matching events');
  assert.equal(replayLines([out, ...fmt]), want);
  const c = await countEvents(out);
  assert.ok(c.hidden > 0 && c.events < s.count, `${c.events} events, ${c.hidden} hidden`);
  const matched = want.trim().split('\n').length;
  assert.match(stderr, new RegExp(`^falco-ts: ${matched} events,`));
  // -n on the filtered path
  const out2 = path.join(TMP, 'filtered-n.scap');
  await quietly<number>(() =>
    capture({
      write: out2,
      compression: 'gzip',
      filter,
      numEvents: 3,
      openProbe: fake(s, 4).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  assert.equal(replayLines([out2, ...fmt]), want.split('\n').slice(0, 3).join('\n') + '\n');
});

test('rotation: -e N, -e with a -W ring, -C MB; every file starts with a snapshot', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const dir = path.join(TMP, 'rot-e');
  fs.mkdirSync(dir);
  const base = path.join(dir, 'r.scap');
  await quietly<number>(() =>
    capture({
      write: base,
      compression: 'none',
      filter: '',
      eventLimit: 40,
      durationSec: 0.3,
      openProbe: fake(s, 7).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  const files = fs.readdirSync(dir).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const n = Math.ceil(s.count / 40);
  assert.deepEqual(
    files,
    Array.from({ length: n }, (_, i) => `r.scap${i}`),
  );
  let total = 0;
  for (const [i, f] of files.entries()) {
    const c = await countEvents(path.join(dir, f));
    assert.equal(c.sections.length, 1);
    assert.ok(c.sections[0].procs.length > 0, 'a snapshot in every file');
    if (i < files.length - 1) assert.equal(c.events, 40);
    total += c.events;
  }
  assert.equal(total, s.count);

  const ring = path.join(TMP, 'rot-ring');
  fs.mkdirSync(ring);
  await quietly<number>(() =>
    capture({
      write: path.join(ring, 'r'),
      compression: 'lz4',
      filter: '',
      eventLimit: 40,
      fileLimit: 2,
      durationSec: 0.3,
      openProbe: fake(s, 7).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  assert.deepEqual(fs.readdirSync(ring).sort(), ['r0', 'r1']);

  // -C 1: about 3 MB of events in files just over 10^6 bytes each
  const big = path.join(TMP, 'rot-C');
  fs.mkdirSync(big);
  const repeat = Math.ceil(3e6 / s.blocks.length);
  await quietly<number>(() =>
    capture({
      write: path.join(big, 'c.scap'),
      compression: 'none',
      filter: '',
      rolloverMB: 1,
      durationSec: 1,
      openProbe: fake(s, 50, repeat).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  const cf = fs.readdirSync(big).sort();
  assert.ok(cf.length >= 3, cf.join(','));
  assert.equal(cf[0], 'c.scap0');
  let events = 0;
  for (const f of cf.slice(0, -1)) {
    const size = fs.statSync(path.join(big, f)).size;
    assert.ok(size > 1e6 && size < 1e6 + 300 * 1024, `${f}: ${size} bytes`);
  }
  for (const f of cf) events += (await countEvents(path.join(big, f))).events;
  assert.equal(events, s.count * repeat);
});

test('rotation: -G S with -W N stops after N files', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const dir = path.join(TMP, 'rot-G');
  fs.mkdirSync(dir);
  const t0 = Date.now();
  await quietly<number>(() =>
    capture({
      write: path.join(dir, 'g'),
      compression: 'lz4',
      filter: '',
      rotateSec: 1,
      fileLimit: 2,
      openProbe: fake(s, 3, 1000, 20).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  const ms = Date.now() - t0;
  assert.deepEqual(fs.readdirSync(dir).sort(), ['g0', 'g1']);
  assert.ok(ms >= 1900 && ms < 60000, `${ms} ms`); // -G 1 x 2 files: at least 2 s; the upper bound only guards a hang
});

test('live output: the same lines as replay; -n and the filter; no colour off a terminal', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const outFile = path.join(TMP, 'live.txt');
  const fd = fs.openSync(outFile, 'w');
  await quietly<number>(() =>
    live({
      filter: '',
      bufferFormat: 'normal',
      durationSec: 0.3,
      fd,
      openProbe: fake(s, 6).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  fs.closeSync(fd);
  assert.equal(fs.readFileSync(outFile, 'latin1'), replayLines([SAMPLE]));

  const fd2 = fs.openSync(outFile, 'w');
  const { stderr } = await quietly<number>(() =>
    live({
      filter: 'proc.name=cat',
      numEvents: 4,
      bufferFormat: 'json',
      json: true,
      fd: fd2,
      openProbe: fake(s, 6).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  fs.closeSync(fd2);
  assert.equal(
    fs.readFileSync(outFile, 'latin1'),
    replayLines([SAMPLE, '-j', '-n', '100000', 'proc.name=cat']).split('\n').slice(0, 4).join('\n') + '\n',
  );
  assert.match(
    stderr,
    /^falco-ts: live: probe attached \(driver auto\), filtering; events from now on \(Ctrl-C to stop\)\nfalco-ts: 4 events, 3 dropped/,
  );

  // colours when asked (a terminal): sysdig's escapes, reset at the end
  const fd3 = fs.openSync(outFile, 'w');
  await quietly<number>(() =>
    live({
      filter: 'evt.type=brk',
      numEvents: 2,
      bufferFormat: 'normal',
      color: true,
      fd: fd3,
      openProbe: fake(s, 6).open,
      snapshot: (): SectionMetadata => s.meta,
    }),
  );
  fs.closeSync(fd3);
  const colored = fs.readFileSync(outFile, 'latin1');
  assert.match(colored, /\x1b\[01;32m.*\x1b\[00m \(\x1b\[01;36m\d+\x1b\[00m\.\d+\)/);
  assert.ok(colored.endsWith('\x1b[00m'));
});

test("live -r: drop monitoring on the probe's counters raises Falco's internal alert and reports", async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const outFile = path.join(TMP, 'live-drops.txt');
  const fd = fs.openSync(outFile, 'w');
  const logs: string[] = [];
  // the fake probe reports 3 drops (2 ring full) of ~350 events from the start (0.9 %: over a
  // threshold of 0.5 %); the trace spans ~1.9 s of event time, so one check sees them
  const { value, stderr } = await quietly<number>(() =>
    live({
      filter: '',
      bufferFormat: 'normal',
      durationSec: 0.3,
      fd,
      openProbe: fake(s, 6).open,
      snapshot: (): SectionMetadata => s.meta,
      rules: { rules: ['default'], overrides: ['json_output=true'] },
      drops: {
        config: { actions: new Set(['log', 'alert']), threshold: 0.005, rate: 1, maxBurst: 10, simulate: false },
        logger: { log: (_l, m) => logs.push(m) },
      },
    }),
  );
  fs.closeSync(fd);
  assert.equal(value, 0, stderr);
  const internal = fs
    .readFileSync(outFile, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((a) => a.source === 'internal');
  assert.equal(internal.length, 1);
  const f = internal[0].output_fields as Record<string, string>;
  assert.equal(f.n_drops, '3');
  assert.equal(f.n_drops_buffer_total, '2');
  assert.equal(f.ebpf_enabled, '1');
  assert.deepEqual(logs, ['Falco internal: syscall event drop. 3 system calls dropped in last second.']);
  assert.match(stderr, /event drop detected: 1 occurrences\n {3}- num times actions taken: 1\n/);
});

test('SIGINT: stop, drain, finalize, summary, exit 0; the file is flushed every second meanwhile', async (t) => {
  const s = await getSample(t);
  if (s === null) return;
  const out = path.join(TMP, 'sigint.scap');
  const dist = path.join(ROOT, 'dist');
  // a child running capture() with an endless fake probe (slow batches)
  const script = `
    const { capture } = require(${JSON.stringify(path.join(dist, 'src/cli/capture.js'))});
    const { readTraceFile } = require(${JSON.stringify(path.join(dist, 'src/scap/file-source.js'))});
    const { MemorySink } = require(${JSON.stringify(path.join(dist, 'src/scap/compressed-sink.js'))});
    const { ScapWriter } = require(${JSON.stringify(path.join(dist, 'src/scap/writer.js'))});
    (async () => {
      const sink = new MemorySink(); const w = new ScapWriter(sink); let meta, start = 0, per = 0;
      await readTraceFile(${JSON.stringify(SAMPLE)}, {
        onSection: (m) => { meta = m; w.writeSection({ ...m, procs: [], fds: new Map(), users: [], groups: [], interfaces: [], machine: null }); start = w.offset; },
        onEvent: (ev) => { w.writeEvent(ev, ev.dumpFlags); per++; } });
      w.close();
      const blocks = sink.contents().subarray(start);
      let closed = false, n = 0, handed = 0;
      const give = () => { handed++; return blocks; };
      const probe = {
        read: () => closed && n++ < 3 ? give() : null,
        // a batch can arrive after the signal: it must still be written
        wait: (ms) => new Promise((r) => setTimeout(() => r(closed ? null : give()), Math.min(ms, 50))),
        stats: () => ({ seen: handed * per, delivered: handed * per, droppedRingFull: 0, droppedOther: 0, batches: handed }),
        close: () => { closed = true; },
      };
      process.stdout.write('ready\\n');
      const code = await capture({ write: ${JSON.stringify(out)}, compression: 'lz4', filter: '', openProbe: () => probe, snapshot: () => meta });
      process.exitCode = code;
    })().catch((e) => { console.error(e); process.exit(3); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  // a failed assertion below must not leave the endless capture running (the file would hang)
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  await once(child.stdout, 'data');
  await new Promise((r) => setTimeout(r, 1600));
  // not stopped yet, but already readable (flushed at least every second)
  const mid = await countEvents(out);
  assert.ok(mid.events > 0, 'events readable before the end');
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, err);
  const m =
    /^falco-ts: (\d+) events, 0 dropped, (\d+) seen by the probe, .* written to .*sigint\.scap, \d+\.\d\d s\nfalco-ts: .*sigint\.scap is LZ4-compressed, .*\n$/.exec(
      err,
    );
  assert.ok(m, err);
  assert.equal(m[1], m[2], 'every event the probe handed over is written');
  const end = await countEvents(out);
  assert.ok(end.events >= mid.events + 3 * s.count, 'the drained batches are in the file');
  assert.equal(Number(/(\d+) events/.exec(err)![1]), end.events);
});

// ---------------------------------------------------------------------------------------------
// end to end with the real probe

const e2eSkipReason = (): string | null => liveSkipReason('the live capture tests');

interface Captured {
  out: string;
  port: number;
  file: string;
  renamed: string;
  arg: string;
  pid: number;
}

async function captureAround(t: TestContext, z: 'none' | 'gzip', tag: string): Promise<Captured> {
  const server = net.createServer((c) => c.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const out = path.join(TMP, `e2e-${tag}.scap`);
  const file = path.join(TMP, `e2e-${tag}-${process.pid}-${Date.now()}.txt`);
  const renamed = file + '.moved';
  const arg = `falco-ts-e2e-${tag}-${process.pid}`;
  const cap = spawn(process.execPath, [BIN, 'capture', '-w', out, '-z', z, '-M', '60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  cap.stderr.on('data', (d) => {
    err += d;
  });
  // started: the probe is attached before the snapshot is written
  for (let i = 0; i < 400 && !(fs.existsSync(out) && fs.statSync(out).size > 0); i++) {
    if (cap.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (cap.exitCode !== null || !fs.existsSync(out)) {
    server.close();
    cap.kill('SIGKILL');
    assert.fail(`capture did not start: ${err}`);
  }
  await new Promise((r) => setTimeout(r, 200));
  const script = `echo $$; echo hello > ${file}; /bin/true ${arg}; exec 3<>/dev/tcp/127.0.0.1/${port}; echo hi >&3; exec 3>&-; mv ${file} ${renamed}; rm ${renamed}`;
  const r = spawnSync('/bin/bash', ['-c', script]);
  assert.equal(r.status, 0, r.stderr.toString());
  const pid = Number(r.stdout.toString().trim());
  await new Promise((r2) => setTimeout(r2, 1000));
  cap.kill('SIGINT');
  const [code] = (await once(cap, 'exit')) as [number | null];
  server.close();
  assert.equal(code, 0, err);
  assert.match(err, /^falco-ts: \d+ events, \d+ dropped/);
  t.diagnostic(err.trim());
  return { out, port, file, renamed, arg, pid };
}

for (const z of ['none', 'gzip'] as const) {
  test(`end to end (${z}): a script's open/write, execve, connect, rename, unlink are in the capture`, async (t) => {
    const skip = e2eSkipReason();
    if (skip !== null) {
      t.skip(skip);
      return;
    }
    const c = await captureAround(t, z, z);
    const ours = (fmt: string) => replayLines([c.out, '-p', fmt, `proc.pid=${c.pid} or proc.ppid=${c.pid}`]);
    const text = ours('*%proc.name\\t%evt.dir\\t%evt.type\\t%fd.name\\t%evt.res\\t%proc.args\\t%evt.args');
    const rows = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
    const find = (what: string, pred: (r: string[]) => boolean) => {
      assert.ok(
        rows.some(pred),
        `${what} not found in the ${rows.length} events of the script:\n${text.slice(0, 20000)}`,
      );
    };
    const base = path.basename(c.renamed);
    find('open', (r) => r[0] === 'bash' && r[1] === '<' && /^open/.test(r[2]) && r[3] === c.file && r[4] === 'SUCCESS');
    find('write', (r) => r[0] === 'bash' && r[1] === '<' && r[2] === 'write' && r[3] === c.file && r[4] === 'SUCCESS');
    find('execve', (r) => r[0] === 'true' && r[1] === '<' && r[2] === 'execve' && r[4] === 'SUCCESS' && r[5] === c.arg);
    find(
      'connect',
      (r) =>
        r[0] === 'bash' &&
        r[1] === '<' &&
        r[2] === 'connect' &&
        new RegExp(`^127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${c.port}$`).test(r[3]) &&
        r[4] === 'SUCCESS',
    );
    find(
      'rename',
      (r) => r[0] === 'mv' && r[1] === '<' && /^rename/.test(r[2]) && r[4] === 'SUCCESS' && r[6].includes(base),
    );
    find(
      'unlink',
      (r) => r[0] === 'rm' && r[1] === '<' && /^unlink/.test(r[2]) && r[4] === 'SUCCESS' && r[6].includes(base),
    );

    const sskip = sysdigSkipReason();
    if (sskip !== null) {
      t.diagnostic(`sysdig comparison skipped: ${sskip}`);
      return;
    }
    const filter = `(proc.pid=${c.pid} or proc.ppid=${c.pid}) and evt.type in (open, openat, write, execve, connect, rename, renameat, renameat2, unlink, unlinkat)`;
    const sfmt = '%evt.outputtime %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';
    const mine = replayLines([c.out, '-p', sfmt, filter]);
    const theirs = runSysdig(['-r', c.out, '-p', sfmt, filter]);
    assert.equal(theirs.status, 0, theirs.stderr.toString());
    assert.ok(mine.split('\n').length > 10, mine);
    assert.equal(theirs.stdout.toString('latin1'), mine);
  });
}

test("live filter end to end: falco-ts -n 1 proc.name=X prints X's event while X runs", async (t) => {
  const skip = e2eSkipReason();
  if (skip !== null) {
    t.skip(skip);
    return;
  }
  // a uniquely named program: a copy of sleep
  const prog = path.join(TMP, 'fts-probe-x');
  fs.copyFileSync('/bin/sleep', prog);
  fs.chmodSync(prog, 0o755);
  const liveProc = spawn(
    process.execPath,
    [BIN, '-n', '1', '-p', '%proc.name %evt.type', `proc.name=${path.basename(prog)}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let outText = '';
  let err = '';
  liveProc.stdout.on('data', (d) => {
    outText += d;
  });
  liveProc.stderr.on('data', (d) => {
    err += d;
  });
  const runner = setInterval(() => spawnSync(prog, ['0.05']), 300);
  const timer = setTimeout(() => liveProc.kill('SIGINT'), 20000);
  const [code] = (await once(liveProc, 'exit')) as [number | null];
  clearInterval(runner);
  clearTimeout(timer);
  assert.equal(code, 0, err);
  // the moment from which events are seen is said on stderr
  assert.match(err, /^falco-ts: live: probe attached \(driver auto\), filtering; events from now on/m);
  assert.match(outText, new RegExp(`^${path.basename(prog)} \\S+\\n$`));
});
