/**
 * Parameter rendering (evt.info) against values sysdig 0.29.3 printed for the same bytes
 * (crafted events appended to a sysdig-written capture and replayed with `sysdig -r`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventView } from '../src/event/view';
import { EVENTS } from '../src/event/generated/events';
import { State } from '../src/state/state';
import { ThreadInfo } from '../src/state/threadinfo';
import { FdInfo, FdFlags } from '../src/state/fdinfo';
import { FdType } from '../src/scap/metadata';
import { ParamRenderer, BufferFormat, formatBuffer } from '../src/params/evtinfo';
import { fmtG } from '../src/params/numbers';
import { sanitizeString } from '../src/params/cstrings';
import { joinRelativePath } from '../src/util/paths';
import { resolveFlags } from '../src/params/flags';
import { errnoToStr } from '../src/util/errno';
import { signalToStr } from '../src/util/signals';

// ---- event builders -------------------------------------------------------------------------

const i64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};
const u64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
};
const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
const str = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);
const cat = (...a: Buffer[]): Buffer => Buffer.concat(a);
const v4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

function code(name: string, dir: 'E' | 'X', nparams?: number): number {
  const e = EVENTS.find(
    (x) =>
      x !== null &&
      x.code < 336 &&
      x.name === name &&
      x.dir === (dir === 'X' ? 1 : 0) &&
      (nparams === undefined || x.params.length === nparams),
  );
  if (!e) throw new Error(`no event ${name} ${dir}`);
  return e.code;
}

let evnum = 1;
/** Lays out a v2 event (26-byte header, u16 lengths) in a Buffer and points a view at it. */
function makeEvent(type: number, params: Buffer[], tid = 100, trailing = Buffer.alloc(0)): EventView {
  const lens = Buffer.alloc(params.length * 2);
  params.forEach((p, i) => lens.writeUInt16LE(p.length, i * 2));
  const body = cat(...params);
  const len = 26 + lens.length + body.length;
  const hdr = Buffer.alloc(26);
  hdr.writeBigUInt64LE(1000n, 0);
  hdr.writeBigUInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(len, 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  const pre = Buffer.alloc(6); // the event does not start at 0
  const buf = cat(pre, hdr, lens, body, trailing);
  const v = new EventView();
  v.set(buf, 6, 6 + 26, len, type, params.length, false);
  v.tid = tid;
  v.num = evnum++;
  return v;
}

// ---- state --------------------------------------------------------------------------------

function fd(type: number, name: string, extra: (f: FdInfo) => void = () => {}): FdInfo {
  const f = new FdInfo();
  f.type = type;
  f.name = name;
  extra(f);
  return f;
}

function makeState(): { state: State; t: ThreadInfo } {
  const state = new State();
  const t = new ThreadInfo(state);
  t.tid = 100;
  t.pid = 100;
  t.comm = 'bash';
  t.cwd = '/home/x/';
  state.addThread(t);
  const sys = new ThreadInfo(state);
  sys.tid = 1;
  sys.pid = 1;
  sys.comm = 'systemd';
  sys.cwd = '/';
  state.addThread(sys);
  t.fdTable.set(3, fd(FdType.FILE_V2, '/etc/passwd'));
  t.fdTable.set(
    5,
    fd(FdType.IPV4_SOCK, '10.0.0.1:4000->10.0.0.2:80', (f) => {
      f.l4proto = 2;
      f.flags |= FdFlags.ROLE_CLIENT;
    }),
  );
  t.fdTable.set(6, fd(FdType.DIRECTORY, '/sys/fs/cgroup/systemd'));
  t.fdTable.set(
    7,
    fd(FdType.IPV4_SOCK, '1.2.3.4:53->5.6.7.8:53', (f) => {
      f.l4proto = 3;
    }),
  );
  t.fdTable.set(8, fd(FdType.UNIX_SOCK, ''));
  t.fdTable.set(
    9,
    fd(FdType.IPV6_SERVSOCK, ':::80', (f) => {
      f.l4proto = 2;
    }),
  );
  t.fdTable.set(10, fd(FdType.FILE, 'bad\x01na\xffme'));
  t.fdTable.set(
    11,
    fd(FdType.IPV4_SOCK, '0.0.0.0:1->8.8.8.8:0', (f) => {
      f.l4proto = 5;
    }),
  );
  t.fdTable.set(12, fd(FdType.FIFO, 'pipe:[123]'));
  state.users.set(0, { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/sh' });
  state.users.set(33, { uid: 33, gid: 33, name: 'www-data', homedir: '/var/www', shell: '/bin/false' });
  state.groups.set(0, { gid: 0, name: 'root' });
  state.cur.thread = t;
  return { state, t };
}

function renderer(
  bufferFormat: BufferFormat = 'normal',
  maxBufLen = 80,
): { r: ParamRenderer; state: State; t: ThreadInfo } {
  const { state, t } = makeState();
  return { r: new ParamRenderer(state, { maxBufLen, bufferFormat }), state, t };
}

/** "name=value(resolved) " for all params, as evt.info */
function info(r: ParamRenderer, ev: EventView): string {
  return r.info(ev);
}

function param(r: ParamRenderer, ev: EventView, i: number): [string, string] {
  r.render(ev, i);
  return [r.value, r.resolved];
}

// ---- numbers --------------------------------------------------------------------------------

test('integers: %d of uint32 is signed, hex is upper case, octal has a leading 0', () => {
  const { r } = renderer();
  assert.equal(info(r, makeEvent(code('read', 'E'), [i64(3), u32(0xffffffff)])), 'fd=3(<f>/etc/passwd) size=-1 ');
  assert.equal(
    info(r, makeEvent(code('read', 'E'), [i64(3), u32(0x80000000)])),
    'fd=3(<f>/etc/passwd) size=-2147483648 ',
  );
  assert.equal(info(r, makeEvent(code('brk', 'X', 1), [u64(-1n)])), 'res=FFFFFFFFFFFFFFFF ');
  assert.equal(info(r, makeEvent(code('brk', 'X', 1), [u64(0x7fad48782000n)])), 'res=7FAD48782000 ');
  assert.equal(
    info(r, makeEvent(code('lseek', 'E'), [i64(3), u64(-5n), u8(0)])),
    'fd=3(<f>/etc/passwd) offset=-5 whence=0(SEEK_SET) ',
  );
  assert.equal(
    info(r, makeEvent(code('lseek', 'E'), [i64(3), u64(2n ** 62n), u8(2)])),
    'fd=3(<f>/etc/passwd) offset=4611686018427387904 whence=2(SEEK_END) ',
  );
  assert.equal(info(r, makeEvent(56, [u32(-1)])), 'flags=FFFFFFFF ');
  assert.equal(
    info(r, makeEvent(code('semget', 'E'), [u32(-2), u32(-3), u32(0x3ff)])),
    'key=FFFFFFFE nsems=-3 semflg=1023 ',
  );
  assert.equal(
    info(r, makeEvent(code('signalfd', 'E'), [i64(-1), u32(0xdeadbeef), u8(0x80)])),
    'fd=-1(EPERM) mask=DEADBEEF flags=128 ',
  );
  assert.equal(
    info(r, makeEvent(code('getrlimit', 'X'), [i64(0), i64(-1), i64(9223372036854775807n)])),
    'res=0 cur=-1 max=9223372036854775807 ',
  );
  assert.equal(
    info(r, makeEvent(code('semop', 'X'), [i64(0), u32(2), u16(1), u16(-1), u16(0x1800), u16(2), u16(3), u16(0)])),
    'res=0 nsops=2 sem_num_0=1 sem_op_0=-1 sem_flg_0=6144 sem_num_1=2 sem_op_1=3 sem_flg_1=0 ',
  );
  const open = code('open', 'X');
  assert.deepEqual(param(r, makeEvent(open, [i64(3), str('/a'), u32(0), u32(0o644), u32(0x803)]), 3), ['0644', '']);
  assert.deepEqual(param(r, makeEvent(open, [i64(3), str('/a'), u32(0), u32(0), u32(0x803)]), 3), ['0', '']);
  assert.deepEqual(param(r, makeEvent(open, [i64(3), str('/a'), u32(0), u32(0), u32(0x803)]), 4), ['803', '']);
});

test('numbers are read with the type width whatever the stored length', () => {
  const { r } = renderer();
  // a 4-byte fd followed by size=5: the fd reads 8 bytes, as libsinsp does
  assert.equal(info(r, makeEvent(code('read', 'E'), [u32(6), u32(5)])), 'fd=21474836486 size=5 ');
});

// ---- fds, pids, errnos ----------------------------------------------------------------------

test('PT_FD: type letter, l4 protocol letter, AT_FDCWD, errno names, sanitized names', () => {
  const { r, state } = renderer();
  const close = code('close', 'E');
  const fdv = (n: number | bigint): string => {
    r.render(makeEvent(close, [i64(n)]), 0);
    return r.value + (r.resolved === '' ? '' : '(' + r.resolved + ')');
  };
  assert.equal(fdv(3), '3(<f>/etc/passwd)');
  assert.equal(fdv(5), '5(<4t>10.0.0.1:4000->10.0.0.2:80)');
  assert.equal(fdv(6), '6(<d>/sys/fs/cgroup/systemd)');
  assert.equal(fdv(7), '7(<4>1.2.3.4:53->5.6.7.8:53)'); // no role: n/a proto
  assert.equal(fdv(8), '8(<u>)');
  assert.equal(fdv(9), '9(<6t>:::80)');
  assert.equal(fdv(10), '10(<f>badname)');
  assert.equal(fdv(11), '11(<4r>0.0.0.0:1->8.8.8.8:0)');
  assert.equal(fdv(12), '12(<p>pipe:[123])');
  assert.equal(fdv(99), '99');
  assert.equal(fdv(-100), '-100(AT_FDCWD)');
  assert.equal(fdv(-13), '-13(EACCES)');
  assert.equal(fdv(-9999), '-9999');
  assert.equal(fdv(-4294967298n), '-4294967298(ENOENT)');
  // no thread for the event: just the number
  state.cur.thread = null;
  r.render(makeEvent(close, [i64(3)], 4242), 0);
  assert.deepEqual([r.value, r.resolved], ['3', '']);
});

test('PT_PID resolves the comm of a known thread only; PT_ERRNO names', () => {
  const { r } = renderer();
  const kill = code('kill', 'E');
  assert.equal(info(r, makeEvent(kill, [i64(1), u8(9)])), 'pid=1(systemd) sig=9(SIGKILL) ');
  assert.equal(info(r, makeEvent(kill, [i64(424242), u8(0)])), 'pid=424242 sig=0 ');
  assert.equal(info(r, makeEvent(kill, [i64(-1), u8(64)])), 'pid=-1 sig=64 ');
  assert.equal(info(r, makeEvent(kill, [i64(1), u8(34)])), 'pid=1(systemd) sig=34 ');
  const close = code('close', 'X');
  assert.equal(info(r, makeEvent(close, [i64(-2)])), 'res=-2(ENOENT) ');
  assert.equal(info(r, makeEvent(close, [i64(-512)])), 'res=-512(ERESTARTSYS) ');
  assert.equal(info(r, makeEvent(close, [i64(-9999)])), 'res=-9999 ');
  assert.equal(info(r, makeEvent(close, [i64(-41)])), 'res=-41 '); // EWOULDBLOCK alias slot: no name
  assert.equal(info(r, makeEvent(close, [i64(17)])), 'res=17 ');
  assert.equal(errnoToStr(-111), 'ECONNREFUSED');
  assert.equal(errnoToStr(-530), 'EIOCBRETRY');
  assert.equal(errnoToStr(0), '');
  assert.equal(signalToStr(31), 'SIGSYS');
  assert.equal(signalToStr(32), '');
});

// ---- flags ----------------------------------------------------------------------------------

test('flags: exact match first, bits in table order, no match, zero', () => {
  assert.equal(resolveFlags('file_flags', 0), 'O_NONE');
  assert.equal(resolveFlags('file_flags', 1), 'O_RDONLY');
  assert.equal(resolveFlags('file_flags', 3), 'O_RDWR');
  assert.equal(resolveFlags('file_flags', 0x241), 'O_DIRECT|O_NONBLOCK|O_RDONLY');
  assert.equal(resolveFlags('file_flags', 5), 'O_CREAT|O_RDONLY');
  assert.equal(resolveFlags('file_flags', 0x1001), 'O_RDONLY|O_CLOEXEC');
  assert.equal(resolveFlags('file_flags', 1 << 20), '');
  assert.equal(resolveFlags('access_flags', 3), 'W_OK|X_OK');
  assert.equal(resolveFlags('access_flags', 8), '');
  assert.equal(resolveFlags('access_flags', 255), 'R_OK|W_OK|X_OK');
  assert.equal(resolveFlags('socket_families', 16), 'AF_ROUTE');
  assert.equal(resolveFlags('socket_families', 200), 'AF_ATMPVC');
  assert.equal(resolveFlags('futex_operations', 17), 'FUTEX_WAKE');
  assert.equal(resolveFlags('futex_operations', 16), '');
  assert.equal(resolveFlags('shutdown_how', 3), 'SHUT_RDWR|SHUT_WR');
  assert.equal(resolveFlags('lseek_whence', 7), 'SEEK_END|SEEK_CUR');
  assert.equal(resolveFlags('no_such_table', 1), '');
  const { r } = renderer();
  assert.equal(
    info(r, makeEvent(code('open', 'X'), [i64(3), str('/etc/passwd'), u32(0x1001), u32(0), u32(0)])),
    'fd=3(<f>/etc/passwd) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=0 ',
  );
  assert.equal(info(r, makeEvent(code('access', 'E'), [u32(16)])), 'mode=16 ');
  assert.equal(info(r, makeEvent(code('futex', 'E'), [u64(0x1234), u16(16), u64(1)])), 'addr=1234 op=16 val=1 ');
});

test('PT_MODE: octal value and chmod_mode names', () => {
  const { r } = renderer();
  const fchmodat = code('fchmodat', 'X');
  assert.deepEqual(param(r, makeEvent(fchmodat, [i64(0), i64(-100), str('f'), u32(0o644)]), 3), [
    '0644',
    'S_IROTH|S_IRGRP|S_IWUSR|S_IRUSR',
  ]);
  assert.deepEqual(param(r, makeEvent(fchmodat, [i64(0), i64(-100), str('f'), u32(0o4755)]), 3), [
    '04755',
    'S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID',
  ]);
  assert.deepEqual(param(r, makeEvent(fchmodat, [i64(0), i64(-100), str('f'), u32(0)]), 3), ['0', '']);
  assert.deepEqual(param(r, makeEvent(fchmodat, [i64(0), i64(-100), str('f'), u32(0o170000)]), 3), ['0170000', '']);
});

// ---- paths ----------------------------------------------------------------------------------

test('FSPATH: relative paths resolved against the cwd, absolute ones not; sanitizing', () => {
  const { r } = renderer();
  const open = code('open', 'X');
  const name = (p: Buffer): string => {
    r.render(makeEvent(open, [i64(3), p, u32(0), u32(0), u32(0)]), 1);
    return r.value + (r.resolved === '' ? '' : '(' + r.resolved + ')');
  };
  assert.equal(name(str('/etc/passwd')), '/etc/passwd');
  assert.equal(name(str('rel/a.txt')), 'rel/a.txt(/home/x/rel/a.txt)');
  assert.equal(name(str('../../..//./a/../b/.')), '../../..//./a/../b/.(/b)');
  assert.equal(name(str('a\x01b\xffc')), 'abc(/home/x/a.b.c)');
  assert.equal(name(str('<NA>')), '<NA>');
  assert.equal(name(str('')), '(/home/x)');
  assert.equal(name(str('..')), '..(/home)');
  assert.equal(name(str('.hidden/..x/...')), '.hidden/..x/...(/home/x/.hidden/..x/..)');
  // zero length: libsinsp leaves the previous value in its storage
  r.render(makeEvent(open, [i64(5), Buffer.alloc(0), u32(4), u32(0), u32(0)]), 0);
  r.render(makeEvent(open, [i64(5), Buffer.alloc(0), u32(4), u32(0), u32(0)]), 1);
  assert.deepEqual([r.value, r.resolved], ['5', '']);
  assert.equal(joinRelativePath('/', Buffer.from('x/../../y\0'), 0), '/y');
  assert.equal(sanitizeString('a\tb\x7fc\x80d'), 'abcd');
});

test('FSRELPATH: AT_FDCWD uses the cwd, a dirfd its path, an unknown dirfd nothing', () => {
  const { r } = renderer();
  const mkdirat = code('mkdirat', 'X');
  const path = (dirfd: number, p: string): string => {
    r.render(makeEvent(mkdirat, [i64(0), i64(dirfd), str(p), u32(0o755)]), 2);
    return r.value + (r.resolved === '' ? '' : '(' + r.resolved + ')');
  };
  assert.equal(path(-100, 'sub/dir'), 'sub/dir(/home/x/sub/dir)');
  assert.equal(path(6, 'sub/dir'), 'sub/dir(/sys/fs/cgroup/systemd/sub/dir)');
  assert.equal(path(6, '/abs/dir'), '/abs/dir');
  assert.equal(path(6, '../../..'), '../../..(/sys)');
  assert.equal(path(99, 'q'), 'q(q)');
  assert.equal(
    info(r, makeEvent(mkdirat, [i64(0), i64(6), str('d'), u32(0o755)])),
    'res=0 dirfd=6(<d>/sys/fs/cgroup/systemd) path=d(/sys/fs/cgroup/systemd/d) mode=1ED ',
  );
  // openat2 enter points its dirfd at the name param (a libs table bug): the cwd is used
  assert.deepEqual(param(r, makeEvent(code('openat2', 'E'), [i64(6), str('q'), u32(1), u32(0), u32(0)]), 1), [
    'q',
    '/home/x/q',
  ]);
  assert.deepEqual(param(r, makeEvent(306, [i64(6), str('q2'), u32(1), u32(0)]), 1), [
    'q2',
    '/sys/fs/cgroup/systemd/q2',
  ]);
});

test('CHARBUF: up to the NUL, raw bytes, and past the stored length when it is 0', () => {
  const { r } = renderer();
  assert.equal(
    info(r, makeEvent(code('chdir', 'X'), [i64(-2), str('some\x01dir')])),
    'res=-2(ENOENT) path=some\x01dir ',
  );
  assert.equal(
    info(r, makeEvent(code('symlinkat', 'X'), [i64(0), Buffer.alloc(0), i64(-100), str('lnk')])),
    'res=0 target=\x9c\xff\xff\xff\xff\xff\xff\xfflnk linkdirfd=-100(AT_FDCWD) linkpath=lnk(/home/x/lnk) ',
  );
});

// ---- buffers --------------------------------------------------------------------------------

test('BYTEBUF: dots, 80-byte truncation with ..., -v, empty', () => {
  const { r } = renderer();
  const write = code('write', 'X');
  const data = (b: Buffer): string => {
    r.render(makeEvent(write, [i64(b.length), b]), 1);
    return r.value;
  };
  const seq = Buffer.alloc(200);
  for (let i = 0; i < 200; i++) seq[i] = i;
  assert.equal(data(seq), '................................ !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKL...');
  assert.equal(data(Buffer.alloc(0)), '');
  assert.equal(data(Buffer.from([0x0a, 0x41, 0x0d, 0x0a, 0x42, 0x0a, 0x0a])), '.A..B..');
  assert.equal(data(Buffer.alloc(81, 0x61)), 'a'.repeat(77) + '...');
  assert.equal(data(Buffer.alloc(80, 0x62)), 'b'.repeat(80));
  assert.equal(data(Buffer.from([0xff, 0x7f, 0x20, 0x7e])), '.. ~');
  const v = renderer('normal', 0).r;
  v.render(makeEvent(write, [i64(200), Buffer.alloc(200, 0x63)]), 1);
  assert.equal(v.value, 'c'.repeat(200));
});

test('BYTEBUF in -A, -x, -X and -b formats (never truncated)', () => {
  const b = Buffer.from('0123456789abcdefg');
  assert.equal(formatBuffer(b, 'hex'), '\n\t0x0000: 3031 3233 3435 3637 3839 6162 6364 6566\n\t0x0010: 67\n');
  assert.equal(
    formatBuffer(b, 'hexascii'),
    '\n\t0x0000: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef\n\t0x0010: 67' + ' '.repeat(37) + 'g\n',
  );
  assert.equal(formatBuffer(Buffer.from([0x0a, 0x41, 0x0d, 0x0a, 0x42, 0x0a, 0x0a, 0x01]), 'ascii'), '\nA\nB\n\n');
  assert.equal(formatBuffer(b, 'base64'), 'MDEyMzQ1Njc4OWFiY2RlZmc=');
  assert.equal(formatBuffer(Buffer.alloc(0), 'hex'), '');
  assert.equal(formatBuffer(Buffer.from([0xff]), 'hexascii'), '\n\t0x0000: ff' + ' '.repeat(37) + '.\n');
  const { r } = renderer('hex');
  r.render(makeEvent(code('write', 'X'), [i64(200), Buffer.alloc(200, 0x63)]), 1);
  assert.equal(r.value.split('\n').length, 15); // 13 rows, leading and trailing newline
});

// ---- sockets --------------------------------------------------------------------------------

test('SOCKADDR: NULL, unix, IPv4, IPv6, invalid lengths, unknown families', () => {
  const { r } = renderer();
  const connect = code('connect', 'E');
  const addr = (b: Buffer): string => {
    r.render(makeEvent(connect, [i64(3), b]), 1);
    return r.value;
  };
  assert.equal(addr(Buffer.alloc(0)), 'NULL');
  assert.equal(addr(cat(u8(1), str('/run/sock'))), '/run/sock');
  assert.equal(addr(cat(u8(1), str('\0abstract'))), '');
  assert.equal(addr(cat(u8(2), v4('10.0.0.1'), u16(8080))), '10.0.0.1:8080');
  assert.equal(addr(cat(u8(2), v4('10.0.0.1'))), 'INVALID IPv4');
  assert.equal(addr(cat(u8(10), hex('20010db8000000000000000000000001'), u16(443))), '2001:db8::1:443');
  assert.equal(addr(cat(u8(10), hex('00000000000000000000ffff0a000001'), u16(443))), '::ffff:10.0.0.1:443');
  assert.equal(addr(cat(u8(10), hex('00000000000000000000000000000000'), u16(443))), ':::443');
  assert.equal(addr(cat(u8(10), hex('00000000000000000000000000000000'))), 'INVALID IPv6');
  assert.equal(addr(cat(u8(17), u32(0))), 'family 17');
  assert.equal(addr(cat(u8(200), u32(0))), 'family -56');
});

test('SOCKTUPLE: IPv4, IPv6 compression, IPv4-mapped and all-zero, unix, invalid', () => {
  const { r } = renderer();
  const connect = code('connect', 'X');
  const tup = (b: Buffer): string => {
    r.render(makeEvent(connect, [i64(0), b]), 1);
    return r.value;
  };
  const v6t = (s: string, sp: number, d: string, dp: number): Buffer => cat(u8(10), hex(s), u16(sp), hex(d), u16(dp));
  assert.equal(tup(cat(u8(2), v4('1.2.3.4'), u16(1000), v4('5.6.7.8'), u16(80))), '1.2.3.4:1000->5.6.7.8:80');
  assert.equal(tup(Buffer.alloc(0)), 'NULL');
  assert.equal(tup(cat(u8(2), v4('1.2.3.4'))), 'INVALID IPv4');
  assert.equal(
    tup(v6t('fe800000000000000000000000000001', 5, '20010db8000100000000000000000000', 6)),
    'fe80::1:5->2001:db8:1:::6',
  );
  assert.equal(
    tup(v6t('00000000000000000000ffff01020304', 5, '00000000000000000000ffff05060708', 6)),
    '1.2.3.4:5->5.6.7.8:6',
  );
  assert.equal(
    tup(v6t('00000000000000000000000000000000', 5, '00000000000000000000ffff05060708', 6)),
    '0.0.0.0:5->5.6.7.8:6',
  );
  assert.equal(
    tup(v6t('00000000000000000000ffff01020304', 5, '20010db8000100000000000000000000', 6)),
    '::ffff:1.2.3.4:5->2001:db8:1:::6',
  );
  assert.equal(
    tup(v6t('00000000000000000000000000000001', 5, '00000000000000000000000001020304', 6)),
    '::1:5->::1.2.3.4:6',
  );
  assert.equal(
    tup(cat(u8(1), u64(0xffff9a0b1c2d3e4fn), u64(0n), str('/var/run/x.sock'))),
    'ffff9a0b1c2d3e4f->0 /var/run/x.sock',
  );
  assert.equal(tup(cat(u8(1), u64(1n), u64(0xabcn), str('bad\x05name'))), '1->abc badname');
  assert.equal(tup(cat(u8(1), u64(1n), u64(0xabcn), Buffer.from([0]))), '1->abc ');
  assert.equal(tup(cat(u8(3), u64(1n))), 'family 3');
});

// ---- lists, times, signals, ids -------------------------------------------------------------

test('FDLIST, RELTIME, SIGSET', () => {
  const { r } = renderer();
  const ppoll = code('ppoll', 'E');
  assert.equal(
    info(
      r,
      makeEvent(ppoll, [
        cat(u16(3), i64(3), u16(1), i64(99), u16(-1), i64(6), u16(0x41)),
        u64(-1n),
        u32(0x80000001 | (1 << 16) | (1 << 20)),
      ]),
    ),
    'fds=3:f1 99:?ffffffff 6:d41 timeout=none sigmask=SIGHUP SIGCHLD SIGTTIN ',
  );
  assert.equal(
    info(r, makeEvent(ppoll, [u16(0), u64(2500000000n), u32(0)])),
    'fds= timeout=2500000000(2.5s) sigmask= ',
  );
  assert.equal(
    info(r, makeEvent(code('poll', 'X'), [i64(1), cat(u16(2), i64(5), u16(4), i64(-1), u16(32))])),
    'res=1 fds=5:44 18446744073709551615:?20 ',
  );
  const ns = code('nanosleep', 'E');
  const rel = (v: bigint): string => info(r, makeEvent(ns, [u64(v)]));
  assert.equal(rel(0n), 'interval=0(0s) ');
  assert.equal(rel(5n), 'interval=5(5e-09s) ');
  assert.equal(rel(1500000n), 'interval=1500000(0.0015s) ');
  assert.equal(rel(123456789n), 'interval=123456789(0.123457s) ');
  assert.equal(rel(1234567890123n), 'interval=1234567890123(1234.57s) ');
  assert.equal(rel(10n ** 15n), 'interval=1000000000000000(1e+06s) ');
  assert.equal(rel(999999500n), 'interval=999999500(1s) ');
  assert.equal(rel(100000n), 'interval=100000(0.0001s) ');
  assert.equal(rel(123456500000000n), 'interval=123456500000000(123456s) '); // half-even tie
  assert.equal(fmtG(123457.5), '123458');
  assert.equal(fmtG(1e-5), '1e-05');
  assert.equal(fmtG(12345.65), '12345.6');
});

test('UID/GID: user names from the capture, <NA>, -1(<NONE>), %d', () => {
  const { r } = renderer();
  const setuid = code('setuid', 'E');
  const uid = (v: number): string => info(r, makeEvent(setuid, [u32(v)]));
  assert.equal(uid(0), 'uid=0(root) ');
  assert.equal(uid(33), 'uid=33(www-data) ');
  assert.equal(uid(12345), 'uid=12345(<NA>) ');
  assert.equal(uid(0xfffffffe), 'uid=-2(<NA>) ');
  assert.equal(uid(0xffffffff), 'uid=-1(<NONE>) ');
  const setgid = code('setgid', 'E');
  assert.equal(info(r, makeEvent(setgid, [u32(0)])), 'gid=0(root) ');
  assert.equal(info(r, makeEvent(setgid, [u32(5)])), 'gid=5(<NA>) ');
});

test('PT_DYN: sockopt, ptrace and bpf tables; invalid index', () => {
  const { r } = renderer();
  const so = code('setsockopt', 'X');
  const val = (v: Buffer, optlen = 4): string => {
    r.render(makeEvent(so, [i64(0), i64(3), u8(1), u8(2), v, u32(optlen)]), 4);
    return r.value + (r.resolved === '' ? '' : '(' + r.resolved + ')');
  };
  assert.equal(val(cat(u8(0), Buffer.from([1, 2, 3, 0x41]))), '...A');
  assert.equal(val(cat(u8(1), i64(-111))), '-111(ECONNREFUSED)');
  assert.equal(val(cat(u8(2), u32(0xffffffff))), '-1');
  assert.equal(val(cat(u8(3), u64(0xffffffffffn))), '1099511627775');
  assert.equal(val(cat(u8(4), u64(2500000n))), '2500000(0.0025s)');
  assert.equal(val(cat(u8(9), u64(7n))), 'INVALID DYNAMIC PARAMETER');
  assert.equal(val(Buffer.alloc(0)), 'INVALID DYNAMIC PARAMETER');
  assert.equal(
    info(r, makeEvent(so, [i64(0), i64(3), u8(1), u8(2), cat(u8(2), u32(1)), u32(4)])),
    'res=0 fd=3(<f>/etc/passwd) level=1(SOL_SOCKET) optname=2(SO_REUSEADDR) val=1 optlen=4 ',
  );
  const pt = code('ptrace', 'X');
  assert.equal(
    info(r, makeEvent(pt, [i64(0), cat(u8(0), u64(0xdeadbeefn)), cat(u8(1), u8(9))])),
    'res=0 addr=DEADBEEF data=9(SIGKILL) ',
  );
  assert.equal(
    info(r, makeEvent(pt, [i64(0), cat(u8(1), u8(99)), cat(u8(5), u8(9))])),
    'res=0 addr=99 data=INVALID DYNAMIC PARAMETER ',
  );
  const bpf = code('bpf', 'X');
  assert.equal(info(r, makeEvent(bpf, [cat(u8(0), i64(3))])), 'res_or_fd=3(<f>/etc/passwd) ');
  assert.equal(info(r, makeEvent(bpf, [cat(u8(1), i64(-1))])), 'res_or_fd=-1(EPERM) ');
});

test('evt.info: generic events are empty; fewer params in the file than in the table', () => {
  const { r } = renderer();
  assert.equal(info(r, makeEvent(0, [u16(5), u16(5)])), '');
  assert.equal(info(r, makeEvent(1, [u16(5)])), '');
  assert.equal(
    info(r, makeEvent(code('open', 'X'), [i64(3), str('/etc/passwd')])),
    'fd=3(<f>/etc/passwd) name=/etc/passwd ',
  );
  assert.equal(info(r, makeEvent(code('open', 'E'), [])), '');
});

test('JSON values (get_param_as_json)', () => {
  const { r } = renderer('json');
  assert.deepEqual(r.renderJson(makeEvent(code('close', 'E'), [i64(5)]), 0), {
    name: '10.0.0.1:4000->10.0.0.2:80',
    typechar: '4t',
    num: 5,
  });
  assert.deepEqual(r.renderJson(makeEvent(code('close', 'E'), [i64(-2)]), 0), {
    error: 'ENOENT',
    num: 18446744073709551614n,
  });
  const oe = makeEvent(code('open', 'X'), [i64(3), str('/etc/passwd'), u32(0x1001), u32(0), u32(0)]);
  assert.deepEqual(r.renderJson(oe, 2), { flags: ['O_RDONLY', 'O_CLOEXEC'], val: 4097 });
  assert.equal(r.renderJson(oe, 1), '/etc/passwd');
  const ce = makeEvent(code('connect', 'X'), [i64(0), cat(u8(2), v4('1.2.3.4'), u16(1000), v4('5.6.7.8'), u16(80))]);
  assert.deepEqual(r.renderJson(ce, 1), { dst: { addr: '5.6.7.8', port: 80 }, src: { addr: '1.2.3.4', port: 1000 } });
  assert.equal(r.renderJson(makeEvent(code('close', 'X'), [i64(-2)]), 0), -2);
  assert.equal(r.resolved, 'ENOENT');
});
