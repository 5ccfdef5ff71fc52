/**
 * File- and process-family state parsers, checked by replaying real captures through State.
 * Every expected value below was read from sysdig 0.29.3 (`sysdig -r FILE -p '*%evt.num ...'`),
 * not from our own output.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readTraceFile } from '../src/scap/file-source';
import { inputSkipReason } from './helpers/env';
import { State } from '../src/state/state';
import '../src/state/parsers';
import { FdType } from '../src/scap/metadata';
import { FdFlags } from '../src/state/fdinfo';
import { EventView } from '../src/event/view';
import { code } from '../src/event/codes';
import { splitCgroups, splitEnv, splitArgs } from '../src/state/parsers/proc';

const SCAP_DIR = process.env.FALCO_TS_SCAP_DIR ?? path.resolve(__dirname, '../../../shared/scap');

/** The capture's path, or null to skip (under CI=true a missing capture fails instead). */
function capture(name: string): string | null {
  const p = path.join(SCAP_DIR, name);
  return inputSkipReason(p) === null ? p : null;
}

type Check = (s: State) => void;

/**
 * Replays a capture; after event number n is processed, checks[n] runs. Every check must run
 * (a capture that ends early fails the test). Also collects the numbers of hidden events.
 */
async function replay(file: string, checks: Record<number, Check>): Promise<{ hidden: number[] }> {
  const s = new State();
  const pending = new Set(Object.keys(checks).map(Number));
  const hidden: number[] = [];
  await readTraceFile(file, {
    onSection: (m) => s.loadSection(m),
    onEvent: (ev) => {
      s.processEvent(ev);
      if (s.cur.hidden) hidden.push(ev.num);
      const c = checks[ev.num];
      if (c !== undefined) {
        c(s);
        pending.delete(ev.num);
      }
      if (pending.size === 0) return false;
    },
  });
  assert.deepEqual([...pending], [], 'capture ended before these events');
  return { hidden };
}

function thread(s: State, tid: number) {
  const t = s.threads.get(tid);
  assert.ok(t !== undefined, `thread ${tid} should exist`);
  return t;
}

test('cat_write: execve identity, open/close of fds, lazy removal after procexit', async (t) => {
  const f = capture('falco_cat_write.scap');
  if (f === null) {
    t.skip(`no capture dir ${SCAP_DIR}`);
    return;
  }
  await replay(f, {
    131: (s) => {
      const c = thread(s, 20072);
      assert.equal(c.comm, 'cat');
      assert.equal(c.exe, 'cat');
      assert.deepEqual(c.args, ['/dev/null']);
      assert.equal(c.ptid, 11310);
    },
    141: (s) => {
      const fd = thread(s, 20072).getFd(3);
      assert.equal(fd?.name, '/etc/ld.so.cache');
      assert.equal(fd?.type, FdType.FILE_V2);
      assert.equal(s.cur.fd, fd);
      assert.equal(thread(s, 20072).lastEventFd, 3);
    },
    147: (s) => {
      // close exit: the fd is only scheduled for removal...
      assert.equal(thread(s, 20072).getFd(3)?.name, '/etc/ld.so.cache');
    },
    148: (s) => {
      // ...and is gone once the next event arrives
      assert.equal(thread(s, 20072).getFd(3), null);
    },
    197: (s) => {
      const fd = thread(s, 20072).getFd(3);
      assert.equal(fd?.name, '/dev/null');
      // USER_EVT_DEVICE_NAME: a possible tracer file
      assert.ok(fd !== null && (fd.flags & FdFlags.IS_TRACER_FILE) !== 0);
    },
    215: (s) => {
      // procexit: still there while its own event is being shown
      assert.ok((thread(s, 20072).flags & (1 << 18)) !== 0, 'PPM_CL_CLOSED');
    },
    216: (s) => {
      assert.equal(s.threads.has(20072), false);
    },
  });
});

test('example4-1: pipe, fork copies fds and cwd, execve, thread clone and its exit', async (t) => {
  const f = capture('bencer_example4_example4-1.scap');
  if (f === null) {
    t.skip(`no capture dir ${SCAP_DIR}`);
    return;
  }
  await replay(f, {
    2258: (s) => {
      const b = thread(s, 19498);
      for (const n of [3, 4]) {
        const p = b.getFd(n);
        assert.equal(p?.type, FdType.FIFO);
        assert.equal(p?.name, '');
        assert.equal(p?.ino, 363228);
      }
    },
    2260: (s) => {
      // clone exit in the parent creates the child: bash, pid 25294, cwd /home/ubuntu/
      const c = thread(s, 25294);
      assert.equal(c.comm, 'bash');
      assert.equal(c.exe, '-bash');
      assert.equal(c.exepath, '/bin/bash');
      assert.equal(c.pid, 25294);
      assert.equal(c.ptid, 19498);
      assert.equal(c.getCwd(), '/home/ubuntu/');
      assert.equal(c.fdlimit, 1024);
      // the child got copies of the parent's fds, marked cloned
      const p = c.getFd(3);
      assert.equal(p?.type, FdType.FIFO);
      assert.ok(p !== null && (p.flags & FdFlags.IS_CLONED) !== 0);
      assert.notEqual(p, thread(s, 19498).getFd(3));
    },
    2377: (s) => {
      const c = thread(s, 25294);
      assert.equal(c.comm, 'curl');
      assert.equal(c.exe, 'curl');
      assert.equal(c.exepath, '/usr/bin/curl');
      assert.deepEqual(c.args, ['localhost/index.php']);
      assert.equal(c.ptid, 19498);
    },
    3252: (s) => {
      // clone in the new thread: part of process 25294, sharing its fds
      const th = thread(s, 25295);
      assert.equal(th.pid, 25294);
      assert.equal(th.comm, 'curl');
      assert.equal(th.getCwd(), '/home/ubuntu/');
      assert.equal(th.getFd(3), thread(s, 25294).getFd(3));
      assert.equal(thread(s, 25294).nchilds, 1);
    },
    3350: (s) => {
      assert.ok(s.threads.has(25295));
    },
    3351: (s) => {
      assert.equal(s.threads.has(25295), false);
      assert.equal(thread(s, 25294).nchilds, 0);
      assert.equal(s.cur.thread, null); // the switch of the removed thread shows <NA>
    },
    3546: (s) => {
      assert.equal(thread(s, 25109).getCwd(), '/var/www/html/');
    },
  });
});

test('502Error: leading container events hidden, inverted clone, clone inside a pid namespace', async (t) => {
  const f = capture('sysdiginspect_502Error.scap');
  if (f === null) {
    t.skip(`no capture dir ${SCAP_DIR}`);
    return;
  }
  const { hidden } = await replay(f, {
    23: (s) => {
      // child returns first (tid 843 unknown): it creates itself, with the event's identity,
      // and the placeholder parent 842 gets the same identity
      const c = thread(s, 843);
      assert.equal(c.comm, 'curl');
      assert.equal(c.pid, 842);
      assert.deepEqual(c.args, ['localhost/bar']);
      assert.equal(c.loginuid, 0);
      assert.equal(s.cur.thread, c);
      assert.equal(thread(s, 842).comm, 'curl');
    },
    168: (s) => {
      // the parent runs outside the child's pid namespace: no child yet
      assert.equal(s.threads.has(844), false);
    },
    171: (s) => {
      const c = thread(s, 844);
      assert.equal(c.comm, 'python');
      assert.equal(c.pid, 13700);
      assert.equal(c.vtid, 5885);
      assert.equal(c.vpid, 1);
      assert.equal(c.getCwd(), '/');
      assert.equal(s.cur.thread, c);
    },
  });
  assert.deepEqual(
    hidden.filter((n) => n <= 30),
    Array.from({ length: 22 }, (_, i) => i + 1),
  );
});

test('psp_privileged: a container event gets its synthetic container thread', async (t) => {
  const f = capture('falco_psp_privileged.scap');
  if (f === null) {
    t.skip(`no capture dir ${SCAP_DIR}`);
    return;
  }
  await replay(f, {
    1405: (s) => {
      assert.equal(s.cur.hidden, false);
      assert.equal(s.cur.thread?.comm, 'container:9dbcbd0c435f');
      assert.equal(s.cur.thread?.tid, -1);
    },
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic events, for paths the captures do not exercise (close canceled by a reuse, dup,
// F_DUPFD, relative openat). Layout: v2 header + u16 lengths + params.

function mkEvent(type: number, tid: number, ts: number, params: Buffer[]): Buffer {
  const hdr = 26,
    lens = params.length * 2;
  const len = hdr + lens + params.reduce((a, p) => a + p.length, 0);
  const b = Buffer.alloc(len);
  b.writeBigUInt64LE(BigInt(ts), 0);
  b.writeBigInt64LE(BigInt(tid), 8);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(type, 20);
  b.writeUInt32LE(params.length, 22);
  let o = hdr + lens;
  params.forEach((p, i) => {
    b.writeUInt16LE(p.length, hdr + i * 2);
    p.copy(b, o);
    o += p.length;
  });
  return b;
}
const i64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const u8 = (v: number) => Buffer.from([v]);
const str = (s: string) => Buffer.from(s + '\0', 'latin1');

class Feeder {
  readonly s = new State();
  private readonly v = new EventView();
  private n = 0;
  feed(type: number, tid: number, params: Buffer[]): void {
    const b = mkEvent(type, tid, 1000 + this.n, params);
    this.v.set(b, 0, 26, b.length, type, params.length, false);
    this.v.tid = tid;
    this.v.tsLo = 1000 + this.n;
    this.v.tsHi = 0;
    this.v.num = ++this.n;
    this.s.processEvent(this.v);
  }
}

test('synthetic: openat relative to a dirfd, dup, F_DUPFD, and a close canceled by fd reuse', () => {
  const F = new Feeder();
  const tid = 100;
  // open("/srv", O_DIRECTORY) = 3; thread 100 is created as a placeholder by the first event
  F.feed(code('PPME_SYSCALL_OPEN_E'), tid, [str('/srv'), u32(1 << 10), u32(0)]);
  F.feed(code('PPME_SYSCALL_OPEN_X'), tid, [i64(3), str('/srv'), u32(1 << 10), u32(0), u32(0)]);
  const t = F.s.threads.get(tid)!;
  assert.equal(t.getFd(3)?.type, FdType.DIRECTORY);
  // openat(3, "a/../b.txt") = 4
  F.feed(code('PPME_SYSCALL_OPENAT_2_E'), tid, [i64(3), str('a/../b.txt'), u32(1), u32(0)]);
  F.feed(code('PPME_SYSCALL_OPENAT_2_X'), tid, [i64(4), i64(3), str('a/../b.txt'), u32(1), u32(0), u32(0)]);
  assert.equal(t.getFd(4)?.name, '/srv/b.txt');
  // dup(4) = 5
  F.feed(code('PPME_SYSCALL_DUP_E'), tid, [i64(4)]);
  F.feed(code('PPME_SYSCALL_DUP_X'), tid, [i64(5)]);
  assert.equal(t.getFd(5)?.name, '/srv/b.txt');
  // fcntl(5, F_DUPFD) = 7
  F.feed(code('PPME_SYSCALL_FCNTL_E'), tid, [i64(5), u8(1)]);
  F.feed(code('PPME_SYSCALL_FCNTL_X'), tid, [i64(7)]);
  assert.equal(t.getFd(7)?.name, '/srv/b.txt');
  // fcntl(5, F_GETFL) = 8 must not create an fd (its enter is not stored)
  F.feed(code('PPME_SYSCALL_FCNTL_E'), tid, [i64(5), u8(4)]);
  F.feed(code('PPME_SYSCALL_FCNTL_X'), tid, [i64(8)]);
  assert.equal(t.getFd(8), null);
  // close(4) enters; another thread of the process reuses 4 before the exit
  F.feed(code('PPME_SYSCALL_CLOSE_E'), tid, [i64(4)]);
  assert.ok((t.getFd(4)!.flags & FdFlags.CLOSE_IN_PROGRESS) !== 0);
  F.feed(code('PPME_SYSCALL_OPEN_E'), tid, [str('/etc/hosts'), u32(1), u32(0)]);
  F.feed(code('PPME_SYSCALL_OPEN_X'), tid, [i64(4), str('/etc/hosts'), u32(1), u32(0), u32(0)]);
  assert.equal(t.getFd(4)?.name, '/etc/hosts');
  assert.equal(t.getFd(2 ** 63)?.name, '/srv/b.txt'); // INT64_MAX as a double
  // chdir to a relative path, then a relative open resolves against it
  F.feed(code('PPME_SYSCALL_CHDIR_E'), tid, []);
  F.feed(code('PPME_SYSCALL_CHDIR_X'), tid, [i64(0), str('/srv/x/../y')]);
  assert.equal(t.getCwd(), '/srv/y/');
  F.feed(code('PPME_SYSCALL_OPEN_E'), tid, [str('z'), u32(1), u32(0)]);
  F.feed(code('PPME_SYSCALL_OPEN_X'), tid, [i64(6), str('z'), u32(1), u32(0), u32(0)]);
  assert.equal(t.getFd(6)?.name, '/srv/y/z');
  // a failed open adds nothing
  F.feed(code('PPME_SYSCALL_OPEN_E'), tid, [str('nope'), u32(1), u32(0)]);
  F.feed(code('PPME_SYSCALL_OPEN_X'), tid, [i64(-2), str('nope'), u32(1), u32(0), u32(0)]);
  assert.equal(t.getFd(-2), null);
});

test('set_args / set_env / set_cgroups splitting', () => {
  assert.deepEqual(splitArgs(Buffer.from('a\0\0b\0', 'latin1')), ['a', '', 'b']);
  assert.deepEqual(splitArgs(Buffer.from('a\0b', 'latin1')), ['a', 'b']);
  assert.deepEqual(splitEnv(Buffer.from('A=1\0B=2\0\0\0\0', 'latin1')), ['A=1', 'B=2']);
  assert.deepEqual(splitEnv(Buffer.from('A=1\0\0B=2\0', 'latin1')), ['A=1', '', 'B=2']);
  assert.deepEqual(splitCgroups(Buffer.from('cpuset=/\0io=/user.slice\0perf=/\0mem=/x\0cpu_cgroup=/y\0', 'latin1')), [
    'cpuset=/',
    'blkio=/user.slice',
    'perf_event=/',
    'memory=/x',
    'cpu=/y',
  ]);
});
