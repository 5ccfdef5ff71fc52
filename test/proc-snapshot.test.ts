/**
 * The /proc snapshot (src/capture/proc-snapshot.ts) on this machine:
 *  - our own process and its threads, with comm, args, cwd, ids, flags;
 *  - our fds: a temp file (FILE_V2 with PPM_O_* flags), a TCP listener (server socket), a
 *    connected TCP pair (IPv4 tuples), a UDP socket, a unix listener (name), a pipe;
 *  - machine info, users, groups, interfaces;
 *  - written with ScapWriter and read back by our reader and by `sysdig -r` (with synthetic
 *    close events on our fds): sysdig resolves our process name and the fd names;
 *  - robustness (a fake /proc with vanishing or partial entries) and speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { snapshotProc, openFlagsToScap, parseIpv6, ProcSnapshotStats } from '../src/capture/proc-snapshot';
import { FdType, SectionMetadata, FdEntry } from '../src/scap/metadata';
import { openTraceSink } from '../src/scap/compressed-sink';
import { ScapWriter } from '../src/scap/writer';
import { readTraceFile } from '../src/scap/file-source';
import { runSysdig, sysdigSkipReason, tmpDir } from './helpers/env';

const TMP = tmpDir('falco-ts-procsnap-');
process.on('exit', () => {
  try {
    fs.rmSync(TMP, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
});

const PPM_O_RDONLY = 1;
const PPM_O_WRONLY = 2;
const PPM_O_APPEND = 1 << 3;
const PPM_O_CLOEXEC = 1 << 12;

/** IPv4 dotted → the u32 scap keeps (network-order bytes read LE). */
function ip4(s: string): number {
  return Buffer.from(s.split('.').map(Number)).readUInt32LE(0);
}

function fdOf(handle: unknown): number {
  const h = handle as { _handle?: { fd?: number } };
  const fd = h._handle?.fd;
  assert.ok(typeof fd === 'number' && fd >= 0, 'socket has an fd');
  return fd;
}

/** A close-enter event (code 4) for fd, as a raw v2 event. */
function closeEvent(tsNs: bigint, tid: number, fd: number): Buffer {
  const b = Buffer.alloc(26 + 2 + 8);
  b.writeBigUInt64LE(tsNs, 0);
  b.writeBigUInt64LE(BigInt(tid), 8);
  b.writeUInt32LE(b.length, 16);
  b.writeUInt16LE(4, 20);
  b.writeUInt32LE(1, 22);
  b.writeUInt16LE(8, 26);
  b.writeBigInt64LE(BigInt(fd), 28);
  return b;
}

interface Fixture {
  file: string;
  fileFd: number;
  appendFd: number;
  port: number;
  serverFd: number;
  clientFd: number;
  clientPort: number;
  acceptedFd: number;
  udpFd: number;
  udpPort: number;
  unixPath: string;
  unixFd: number;
  close(): Promise<void>;
}

async function openFixture(): Promise<Fixture> {
  const file = path.join(TMP, 'snap-target.txt');
  const fileFd = fs.openSync(file, 'w');
  const appendFd = fs.openSync(path.join(TMP, 'appended.log'), 'a');
  const server = net.createServer();
  const accepted: net.Socket[] = [];
  server.on('connection', (s) => accepted.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
  const udp = dgram.createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  const unixPath = path.join(TMP, 'snap.sock');
  const userver = net.createServer();
  userver.listen(unixPath);
  await once(userver, 'listening');
  // dgram exposes no fd: find it by port later
  return {
    file,
    fileFd,
    appendFd,
    port,
    serverFd: fdOf(server),
    clientFd: fdOf(client),
    clientPort: client.localPort!,
    acceptedFd: fdOf(accepted[0]),
    udpFd: -1,
    udpPort: udp.address().port,
    unixPath,
    unixFd: fdOf(userver),
    close: async () => {
      client.destroy();
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => userver.close(() => r()));
      udp.close();
      fs.closeSync(fileFd);
      fs.closeSync(appendFd);
    },
  };
}

function byFd(list: FdEntry[] | undefined, fd: number): FdEntry {
  const e = (list ?? []).find((f) => f.fd === fd);
  assert.ok(e, `fd ${fd} is in the snapshot`);
  return e;
}

let fx: Fixture;
let meta: SectionMetadata;
const stats: ProcSnapshotStats = { processes: 0, threads: 0, fds: 0, skipped: 0, ms: 0 };

test('set up: fds of every kind, then the snapshot', async () => {
  fx = await openFixture();
  meta = snapshotProc({ stats });
  assert.ok(stats.processes > 0 && stats.fds > 0);
});

test('our own process: comm, exe, args, cwd, ids, limits, flags', () => {
  const me = meta.procs.find((p) => p.tid === process.pid);
  assert.ok(me, 'our pid is in the process list');
  const comm = fs.readFileSync('/proc/self/comm', 'latin1').replace(/\n$/, '');
  assert.equal(me.comm, comm);
  const argv = fs.readFileSync('/proc/self/cmdline', 'latin1').split('\0');
  argv.pop();
  assert.equal(me.exe, argv[0]);
  assert.deepEqual(me.args, argv.slice(1));
  assert.equal(me.exepath, fs.readlinkSync('/proc/self/exe'));
  assert.equal(me.cwd, process.cwd());
  assert.equal(me.pid, process.pid);
  assert.equal(me.ptid, process.ppid);
  assert.equal(me.uid, process.geteuid!());
  assert.equal(me.gid, process.getegid!());
  assert.equal(me.root, '/');
  assert.ok(me.fdlimit > 0 || me.fdlimit === -1);
  assert.ok(me.vmsizeKb > 0 && me.vmrssKb > 0);
  assert.ok(
    me.env.some((e) => e.startsWith('PATH=')),
    'environment read',
  );
  assert.equal(me.flags & (1 << 30), 1 << 30, 'PPM_CL_IS_MAIN_THREAD on the main thread');
  assert.ok(me.vtid > 0 && me.vpid > 0);
  assert.ok(me.capEffective !== null);
  const threads = meta.procs.filter((p) => p.pid === process.pid && p.tid !== process.pid);
  assert.ok(threads.length > 0, 'node has threads (libuv pool, V8 workers)');
  for (const t of threads) {
    assert.equal(t.flags, (1 << 13) | 1, 'threads: CLONE_THREAD | CLONE_FILES');
    assert.equal(t.exepath, me.exepath);
    assert.equal(meta.fds.has(t.tid), false, 'threads share the main thread fd table');
  }
  // every process listed once, threads after their process
  const tids = new Set<number>();
  for (const p of meta.procs) {
    assert.equal(tids.has(p.tid), false, `tid ${p.tid} once`);
    tids.add(p.tid);
  }
  // pid 1 (whatever it is) is there, kernel threads are not
  assert.ok(meta.procs.every((p) => p.exepath !== '' || p.exe !== '' || p.comm !== ''));
});

test('our fds: file, append file, pipes, TCP listener, TCP pair, UDP, unix listener', () => {
  const fds = meta.fds.get(process.pid);
  const f = byFd(fds, fx.fileFd);
  assert.equal(f.type, FdType.FILE_V2);
  assert.equal(f.name, fx.file);
  assert.equal(f.openFlags & PPM_O_WRONLY, PPM_O_WRONLY, `O_WRONLY in ${f.openFlags}`);
  assert.equal(f.openFlags & PPM_O_RDONLY, 0);
  assert.equal(f.openFlags & PPM_O_CLOEXEC, PPM_O_CLOEXEC, 'node opens with O_CLOEXEC');
  assert.equal(f.ino, fs.statSync(fx.file).ino);
  assert.notEqual(f.dev, 0, 'device from mountinfo');
  const a = byFd(fds, fx.appendFd);
  assert.equal(a.openFlags & PPM_O_APPEND, PPM_O_APPEND);

  const srv = byFd(fds, fx.serverFd);
  assert.equal(srv.type, FdType.IPV4_SERVSOCK);
  assert.equal(srv.sip, ip4('127.0.0.1'));
  assert.equal(srv.sport, fx.port);
  assert.equal(srv.l4proto, 2);

  const cli = byFd(fds, fx.clientFd);
  assert.equal(cli.type, FdType.IPV4_SOCK);
  assert.equal(cli.sip, ip4('127.0.0.1'));
  assert.equal(cli.sport, fx.clientPort);
  assert.equal(cli.dip, ip4('127.0.0.1'));
  assert.equal(cli.dport, fx.port);
  assert.equal(cli.l4proto, 2);

  const acc = byFd(fds, fx.acceptedFd);
  assert.equal(acc.type, FdType.IPV4_SOCK);
  assert.equal(acc.sport, fx.port);
  assert.equal(acc.dport, fx.clientPort);

  const udp = (fds ?? []).find((e) => e.type === FdType.IPV4_SERVSOCK && e.l4proto === 3 && e.sport === fx.udpPort);
  assert.ok(udp, 'the bound UDP socket');

  const ux = byFd(fds, fx.unixFd);
  assert.equal(ux.type, FdType.UNIX_SOCK);
  assert.equal(ux.name, fx.unixPath);

  assert.ok(
    (fds ?? []).some((e) => e.type === FdType.EVENTPOLL),
    'libuv epoll fd',
  );
  assert.ok(
    (fds ?? []).some((e) => e.type === FdType.FIFO && /^pipe:\[\d+\]$/.test(e.name) && e.ino > 0) ||
      (fds ?? []).some((e) => e.type === FdType.EVENT),
    'a pipe or eventfd (libuv wakeup)',
  );
  // every fd type is one sysdig 0.29.3 can read
  for (const list of meta.fds.values())
    for (const e of list) assert.ok(e.type >= FdType.FILE && e.type <= FdType.FILE_V2, `fd type ${e.type}`);
});

test('machine info, users, groups, interfaces', () => {
  assert.ok(meta.machine);
  assert.equal(meta.machine.numCpus, os.cpus().length);
  assert.equal(meta.machine.hostname, os.hostname());
  assert.ok(meta.machine.maxPid >= 300);
  assert.equal(meta.machine.memorySizeBytes, os.totalmem());
  assert.ok(meta.users.some((u) => u.uid === 0 && u.name === 'root'));
  assert.ok(meta.groups.some((g) => g.gid === 0 && g.name === 'root'));
  const lo = meta.interfaces.find((i) => i.type === 1 && i.name === 'lo');
  assert.ok(lo, 'lo IPv4');
  assert.deepEqual([...lo.addr], [127, 0, 0, 1]);
  assert.deepEqual([...lo.netmask], [255, 0, 0, 0]);
});

test('helpers: open flags, IPv6 parsing', () => {
  assert.equal(openFlagsToScap(0), PPM_O_RDONLY);
  assert.equal(openFlagsToScap(0o1 | 0o2000000), PPM_O_WRONLY | PPM_O_CLOEXEC);
  assert.equal(openFlagsToScap(0o2 | 0o2000), 3 | PPM_O_APPEND);
  assert.deepEqual([...parseIpv6('::1')!], [...Buffer.alloc(15), 1]);
  assert.equal(parseIpv6('fe80::1%eth0')!.toString('hex'), 'fe800000000000000000000000000001');
  assert.equal(parseIpv6('::ffff:10.1.2.3')!.toString('hex'), '00000000000000000000ffff0a010203');
  assert.equal(parseIpv6('1:2:3:4:5:6:7:8')!.toString('hex'), '00010002000300040005000600070008');
  assert.equal(parseIpv6('1::2::3'), null);
  assert.equal(parseIpv6('nonsense'), null);
});

test('written with ScapWriter: our reader and sysdig -r resolve our process and fds', async (t) => {
  const file = path.join(TMP, 'snapshot.scap');
  const w = new ScapWriter(openTraceSink(file, 'none'));
  w.writeSection(meta);
  const ts = BigInt(Date.now()) * 1000000n;
  const fds = [fx.fileFd, fx.serverFd, fx.clientFd, fx.unixFd];
  fds.forEach((fd, i) => w.writeEventBytes(closeEvent(ts + BigInt(i), process.pid, fd), 0));
  w.close();

  // our reader
  const sections: SectionMetadata[] = [];
  let events = 0;
  await readTraceFile(file, {
    onSection: (m) => sections.push(m),
    onEvent: () => {
      events++;
    },
  });
  assert.equal(sections.length, 1);
  assert.equal(events, fds.length);
  assert.equal(sections[0].procs.length, meta.procs.length);
  const me = sections[0].procs.find((p) => p.tid === process.pid)!;
  assert.equal(me.comm, meta.procs.find((p) => p.tid === process.pid)!.comm);

  const skip = sysdigSkipReason();
  if (skip !== null) {
    t.skip(skip);
    return;
  }
  const r = runSysdig(['-r', file, '-p', '%proc.name|%thread.tid|%proc.pid|%fd.num|%fd.typechar|%fd.name']);
  assert.equal(r.status, 0, `sysdig failed: ${r.stderr.toString()}`);
  const lines = r.stdout.toString('latin1').trim().split('\n');
  assert.equal(lines.length, fds.length, r.stdout.toString());
  const comm = fs.readFileSync('/proc/self/comm', 'latin1').replace(/\n$/, '');
  const expect = [
    `${comm}|${process.pid}|${process.pid}|${fx.fileFd}|f|${fx.file}`,
    `${comm}|${process.pid}|${process.pid}|${fx.serverFd}|4|127.0.0.1:${fx.port}`,
    `${comm}|${process.pid}|${process.pid}|${fx.clientFd}|4|127.0.0.1:${fx.clientPort}->127.0.0.1:${fx.port}`,
    `${comm}|${process.pid}|${process.pid}|${fx.unixFd}|u|`,
  ];
  for (let i = 0; i < expect.length - 1; i++) assert.equal(lines[i], expect[i]);
  // unix: sysdig shows the kernel address and the path
  assert.ok(lines[3].startsWith(expect[3]) && lines[3].endsWith(fx.unixPath), lines[3]);
});

test('a process vanishing mid-scan or unreadable entries are skipped, not errors', () => {
  const root = path.join(TMP, 'fakeproc');
  const mk = (p: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  };
  // 100: complete enough (no exe link, a cmdline); 200: stat only (vanished); 300: nothing
  mk('100/stat', '100 (my proc) S 1 100 100 0 -1 4194560 50 0 2 0 0');
  mk(
    '100/status',
    'Name:\tmy proc\nTgid:\t100\nPPid:\t1\nUid:\t0\t1000\t0\t0\nGid:\t0\t1000\t0\t0\nVmSize:\t 1234 kB\n',
  );
  mk('100/cmdline', 'my\0arg 1\0arg2\0');
  mk('100/task/100/stat', '100 (my proc) S 1 100 100 0 -1 4194560 50 0 2 0 0');
  mk('100/task/101/stat', '101 (worker) S 1 100 100 0 -1 4194560 7 0 1 0 0');
  mk('100/task/101/status', 'Tgid:\t100\nPPid:\t1\n');
  mk('100/task/102/stat', 'garbage');
  mk('200/stat', '200 (gone) S 1 200 200 0 -1 0 0 0 0 0 0');
  fs.mkdirSync(path.join(root, '300'), { recursive: true });
  mk('100/fd/.keep', '');
  fs.symlinkSync('/nonexistent/target', path.join(root, '100', 'fd', '3'));
  fs.symlinkSync('socket:[999999999]', path.join(root, '100', 'fd', '4'));
  const m = snapshotProc({ procRoot: root, etcRoot: path.join(TMP, 'noetc') });
  assert.deepEqual(
    m.procs.map((p) => p.tid),
    [100, 101],
  );
  const p = m.procs[0];
  assert.equal(p.comm, 'my proc');
  assert.equal(p.exe, 'my');
  assert.deepEqual(p.args, ['arg 1', 'arg2']);
  assert.equal(p.uid, 1000);
  assert.equal(p.vmsizeKb, 1234);
  assert.equal(p.pfMinor, 50);
  assert.equal(p.pfMajor, 2);
  assert.equal(m.procs[1].comm, 'worker');
  assert.equal(m.procs[1].pid, 100);
  assert.deepEqual(m.fds.get(100) ?? [], [], 'dangling file link and unknown socket left out');
  assert.deepEqual(m.users, []);
});

test('the whole machine: every process and thread is counted (its time is printed, not asserted)', () => {
  // Speed is measured by the benchmark, never asserted in a test (these machines are noisy).
  const t0 = process.hrtime.bigint();
  const s: ProcSnapshotStats = { processes: 0, threads: 0, fds: 0, skipped: 0, ms: 0 };
  const snap = snapshotProc({ stats: s });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`# snapshot: ${s.processes} processes, ${s.threads} threads, ${s.fds} fds in ${ms.toFixed(1)} ms`);
  assert.ok(s.processes > 0 && s.threads >= s.processes, JSON.stringify(s));
  assert.ok(
    snap.procs.some((p) => p.tid === process.pid),
    'our own process is in the snapshot',
  );
});

test('tear down', async () => {
  await fx.close();
});
