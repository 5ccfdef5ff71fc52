/**
 * The native probe end to end (native/probe + native/addon via src/capture/native.ts), as root:
 * capture while a child shell opens and writes a uniquely named file, runs /bin/true with a
 * unique argument, connects to a TCP listener on 127.0.0.1, renames and unlinks the file; the
 * batches decode with ScapReader and hold those events (enter then exit on the same thread)
 * with the right params; `sysdig -r` reads the same events written by ScapWriter.
 *
 * Skipped, with the reason printed, when not root / no BPF / addon not built — except under
 * CI=true as root, where they must run.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { loadNative, nativeBuilt, nativeAddonPath, NativeProbeStats } from '../src/capture/native';
import { NativeError } from '../src/capture/native-api';
import { ScapReader } from '../src/scap/reader';
import { ScapWriter } from '../src/scap/writer';
import { MemorySink, openTraceSink } from '../src/scap/compressed-sink';
import type { SectionMetadata } from '../src/scap/metadata';
import type { EventView } from '../src/event/view';
import { IN_CI, runSysdig, sysdigSkipReason, tmpDir } from './helpers/env';

const TMP = tmpDir('falco-ts-native-');
process.on('exit', () => {
  try {
    fs.rmSync(TMP, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
});

function skipReason(): string | null {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) return IN_CI ? null : 'not root: the BPF probe needs root';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    if (IN_CI) throw new Error('CI as root but the kernel has no BTF');
    return 'no kernel BTF';
  }
  if (!nativeBuilt()) {
    if (IN_CI) throw new Error(`CI as root but the native addon is not built (${nativeAddonPath()})`);
    return `native addon not built (${nativeAddonPath()}): npm run build:native`;
  }
  return null;
}

function skipIf(t: TestContext): boolean {
  const r = skipReason();
  if (r === null) return false;
  console.log(`# skipped: ${r}`);
  t.skip(r);
  return true;
}

const MINIMAL_META: SectionMetadata = {
  major: 1,
  minor: 2,
  machine: null,
  procs: [],
  fds: new Map(),
  users: [],
  groups: [],
  interfaces: [],
};

interface Ev {
  type: number;
  tid: number;
  ts: bigint;
  params: Buffer[];
}

function decode(batches: Buffer[]): Ev[] {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  w.writeSection(MINIMAL_META);
  w.flush();
  const out: Ev[] = [];
  const r = new ScapReader({
    onSection() {
      /* minimal */
    },
    onEvent(ev: EventView) {
      const params: Buffer[] = [];
      for (let i = 0; i < ev.nparams; i++) params.push(Buffer.from(ev.bytes(i)));
      out.push({ type: ev.type, tid: ev.tid, ts: ev.tsBig(), params });
    },
  });
  r.feed(sink.contents());
  for (const b of batches) r.feed(b);
  r.finish();
  return out;
}

const str = (b: Buffer): string => b.toString('latin1').replace(/\0.*$/s, '');
const i64 = (b: Buffer): number => Number(b.readBigInt64LE(0));

interface Capture {
  batches: Buffer[];
  events: Ev[];
  stats: NativeProbeStats;
  childPid: number;
}

let captured: Capture | null = null;
const U = `${process.pid}x${Date.now().toString(36)}`;
const FILE = path.join(TMP, `ft-native-${U}.txt`);
const MOVED = FILE + '.moved';
let PORT = 0;

async function runCapture(): Promise<Capture> {
  if (captured) return captured;
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  PORT = (server.address() as net.AddressInfo).port;
  const mod = loadNative();
  const probe = mod.openProbe({ snaplen: 80 });
  const batches: Buffer[] = [];
  let pumping = true;
  const pump = (async () => {
    while (pumping) {
      const b = await probe.wait(50);
      if (b) batches.push(b);
    }
  })();
  const script = [
    `exec 3>${FILE}`,
    `echo "hello-${U}" >&3`,
    'exec 3>&-',
    `/bin/true "arg-${U}"`,
    `exec 4<>/dev/tcp/127.0.0.1/${PORT}`,
    'exec 4>&-',
    `mv ${FILE} ${MOVED}`,
    `rm ${MOVED}`,
  ].join('\n');
  const child = spawn('/bin/bash', ['-c', script], { stdio: 'inherit' });
  const code = await new Promise<number | null>((res) => child.on('exit', res));
  assert.equal(code, 0, 'the traced script failed');
  await new Promise((r) => setTimeout(r, 300));
  probe.close();
  pumping = false;
  await pump;
  for (let b = probe.read(); b; b = probe.read()) batches.push(b);
  const stats = probe.stats();
  server.close();
  const c: Capture = { batches, events: decode(batches), stats, childPid: child.pid! };
  captured = c;
  return c;
}

/** Events of the traced processes: the bash child and everything it forked. */
function traced(c: Capture): Ev[] {
  const tids = new Set<number>([c.childPid]);
  for (const e of c.events) {
    // clone/fork exits in the parent: res = child tid
    if ((e.type === 223 || e.type === 225 || e.type === 227 || e.type === 335) && tids.has(e.tid)) {
      const res = i64(e.params[0]);
      if (res > 0) tids.add(res);
    }
  }
  return c.events.filter((e) => tids.has(e.tid));
}

/** The exit event matching pred, checked to follow its enter on the same thread. */
function findPair(evs: Ev[], exitType: number, pred: (e: Ev) => boolean): { enter: Ev; exit: Ev } {
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    if (e.type !== exitType || !pred(e)) continue;
    for (let j = i - 1; j >= 0; j--) {
      if (evs[j].tid !== e.tid) continue;
      assert.equal(
        evs[j].type,
        exitType - 1,
        `event before exit ${exitType} on tid ${e.tid} is ${evs[j].type}, not its enter`,
      );
      return { enter: evs[j], exit: e };
    }
    assert.fail(`no enter event before exit ${exitType}`);
  }
  assert.fail(`no exit event ${exitType} matched`);
}

test('native: not-built errors are NativeError and one line', () => {
  const saved = process.env.FALCO_TS_NATIVE;
  process.env.FALCO_TS_NATIVE = path.join(TMP, 'nope.node');
  try {
    assert.throws(
      () => loadNative(),
      (e: unknown) => e instanceof NativeError && e.code === 'not-built' && !e.message.includes('\n'),
    );
  } finally {
    if (saved === undefined) delete process.env.FALCO_TS_NATIVE;
    else process.env.FALCO_TS_NATIVE = saved;
  }
});

test('native probe: batches are framed EV_V2 blocks, counters reconcile', async (t) => {
  if (skipIf(t)) return;
  const c = await runCapture();
  assert.ok(c.events.length > 100, `only ${c.events.length} events`);
  let framed = 0;
  for (const b of c.batches) {
    let off = 0;
    while (off < b.length) {
      assert.equal(b.readUInt32LE(off), 0x216);
      const total = b.readUInt32LE(off + 4);
      assert.equal(total % 4, 0);
      assert.equal(b.readUInt32LE(off + total - 4), total);
      off += total;
      framed++;
    }
  }
  assert.equal(framed, c.events.length);
  assert.equal(c.stats.delivered, c.events.length);
  assert.equal(c.stats.seen, c.stats.delivered + c.stats.droppedRingFull + c.stats.droppedOther);
  assert.equal(c.stats.droppedRingFull, 0);
  // timestamps are epoch ns of this run
  const now = BigInt(Date.now()) * 1000000n;
  for (const e of traced(c)) assert.ok(e.ts > now - 60n * 1000000000n && e.ts <= now, `ts ${e.ts}`);
  // our own pid is dropped in the kernel
  assert.ok(!c.events.some((e) => e.tid === process.pid), 'events of the capturing process');
});

test('native probe: open, write, execve, connect, rename, unlink with their params', async (t) => {
  if (skipIf(t)) return;
  const c = await runCapture();
  const evs = traced(c);
  assert.ok(evs.length > 20, `only ${evs.length} events from the traced script`);

  // openat(AT_FDCWD, FILE, O_WRONLY|O_CREAT|O_TRUNC, 0666)
  const open = findPair(evs, 307, (e) => str(e.params[2]) === FILE);
  const fd = i64(open.exit.params[0]);
  assert.ok(fd >= 0, `openat res ${fd}`);
  assert.equal(i64(open.exit.params[1]), -100);
  assert.equal(open.exit.params[3].readUInt32LE(0) & 0x107, 2 | 4 | 0x100, 'flags WRONLY|CREAT|TRUNC');
  assert.equal(open.exit.params[4].readUInt32LE(0), 0o666);
  assert.ok(open.exit.params[5].readUInt32LE(0) !== 0, 'dev');
  assert.equal(str(open.enter.params[1]), FILE);
  assert.equal(i64(open.enter.params[0]), -100);

  // write(fd, "hello-U\n")
  const wr = findPair(evs, 9, (e) => str(e.params[1]).startsWith(`hello-${U}`));
  assert.equal(i64(wr.exit.params[0]), `hello-${U}\n`.length);
  assert.equal(i64(wr.enter.params[0]), 1, 'bash writes through fd 1 (dup2 of fd 3)');
  assert.equal(wr.enter.params[1].readUInt32LE(0), `hello-${U}\n`.length);

  // execve("/bin/true", ["/bin/true", "arg-U"])
  const ex = findPair(
    evs,
    293,
    (e) => str(e.params[1]) === '/bin/true' && e.params[2].toString('latin1').includes(`arg-${U}`),
  );
  assert.equal(i64(ex.exit.params[0]), 0);
  assert.equal(str(ex.exit.params[1]), '/bin/true');
  assert.equal(ex.exit.params[2].toString('latin1'), `arg-${U}\0`);
  assert.equal(i64(ex.exit.params[3]), ex.exit.tid, 'tid');
  assert.equal(str(ex.exit.params[13]), 'true', 'comm');
  assert.equal(ex.exit.params.length, 23);
  assert.equal(str(ex.enter.params[0]), '/bin/true');
  assert.ok(i64(ex.exit.params[7]) > 0, 'fdlimit');
  assert.ok(ex.exit.params[9].readUInt32LE(0) > 0, 'vm_size');
  assert.ok(ex.exit.params[15].toString('latin1').includes('PATH='), 'env');

  // connect(fd, 127.0.0.1:PORT)
  const cn = findPair(evs, 23, (e) => e.params[1].length === 13 && e.params[1].readUInt16LE(11) === PORT);
  assert.equal(i64(cn.exit.params[0]), 0);
  const tup = cn.exit.params[1];
  assert.equal(tup[0], 2);
  assert.deepEqual([...tup.subarray(1, 5)], [127, 0, 0, 1]);
  assert.ok(tup.readUInt16LE(5) > 0, 'local port');
  assert.deepEqual([...tup.subarray(7, 11)], [127, 0, 0, 1]);
  const addr = cn.enter.params[1];
  assert.equal(addr[0], 2);
  assert.deepEqual([...addr.subarray(1, 5)], [127, 0, 0, 1]);
  assert.equal(addr.readUInt16LE(5), PORT);

  // rename: mv uses renameat2 (or rename)
  const rn =
    evs.find((e) => (e.type === 319 || e.type === 177) && str(e.params[4]) === MOVED) ??
    evs.find((e) => e.type === 175 && str(e.params[2]) === MOVED);
  assert.ok(rn, 'rename event');
  assert.equal(i64(rn.params[0]), 0);
  // unlink: rm uses unlinkat
  const ul = evs.find(
    (e) => (e.type === 303 && str(e.params[2]) === MOVED) || (e.type === 301 && str(e.params[1]) === MOVED),
  );
  assert.ok(ul, 'unlink event');
  assert.equal(i64(ul.params[0]), 0);

  // the child side of the fork that ran /bin/true: a clone exit with res 0 on the new thread
  assert.ok(
    evs.some(
      (e) => (e.type === 223 || e.type === 335 || e.type === 225) && e.tid === ex.exit.tid && i64(e.params[0]) === 0,
    ),
    'clone exit in the child',
  );
  // process exit of /bin/true
  assert.ok(
    evs.some((e) => e.type === 186 && e.tid === ex.exit.tid),
    'procexit',
  );
  // close of the written file
  assert.ok(
    evs.some((e) => e.type === 4 && i64(e.params[0]) === fd),
    'close enter',
  );
  // generic events carry a PPM_SC id < 329
  for (const e of evs) if (e.type === 0 || e.type === 1) assert.ok(e.params[0].readUInt16LE(0) < 329);
});

test('native probe: in-kernel event-type selection', async (t) => {
  if (skipIf(t)) return;
  const probe = loadNative().openProbe({ eventTypes: [306, 307] });
  const batches: Buffer[] = [];
  const child = spawn('/bin/cat', ['/etc/hostname'], { stdio: 'ignore' });
  await new Promise((res) => child.on('exit', res));
  await new Promise((r) => setTimeout(r, 100));
  probe.close();
  for (let b = probe.read(); b; b = probe.read()) batches.push(b);
  const evs = decode(batches);
  assert.ok(evs.length > 0);
  for (const e of evs) assert.ok(e.type === 306 || e.type === 307, `unexpected type ${e.type}`);
  assert.ok(evs.some((e) => e.type === 307 && str(e.params[2]) === '/etc/hostname'));
});

test('native probe: sysdig -r reads the capture', async (t) => {
  if (skipIf(t)) return;
  const sd = sysdigSkipReason();
  if (sd) {
    t.skip(sd);
    return;
  }
  const c = await runCapture();
  const file = path.join(TMP, 'live.scap');
  const w = new ScapWriter(openTraceSink(file, 'none'));
  w.writeSection(MINIMAL_META);
  w.flush();
  // batches are complete event blocks: they go to the file as they are
  w.close();
  const fdOut = fs.openSync(file, 'a');
  for (const b of c.batches) fs.writeSync(fdOut, b);
  fs.closeSync(fdOut);
  const r = runSysdig([
    '-r',
    file,
    '-p',
    '*%evt.type %proc.name %fd.name %evt.args',
    `evt.type in (openat,connect,execve,renameat2,rename,unlinkat,write) and proc.pid!=${process.pid}`,
  ]);
  const out = r.stdout.toString();
  if (process.env.FT_DEBUG) fs.copyFileSync(file, '/tmp/ftb/test.scap');
  if (process.env.FT_DEBUG) console.log(out);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.ok(out.includes(FILE), 'openat of the file');
  assert.match(out, new RegExp(`write bash ${FILE.replace(/[.]/g, '\\.')} .*hello-${U}`));
  assert.ok(out.includes(`arg-${U}`), 'execve args');
  assert.match(out, new RegExp(`connect bash 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${PORT}`));
  assert.ok(out.includes(MOVED), 'rename/unlink');
});
