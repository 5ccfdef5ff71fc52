/**
 * File-family parsers: open/openat/openat2/creat, close, dup, pipe, eventfd, signalfd,
 * timerfd, inotify, fcntl(F_DUPFD), chdir/fchdir/getcwd (libsinsp parsers.cpp at e5c53d64).
 * Only the event codes e5c53d64 routes are registered: e.g. dup2/dup3/pipe2 have codes that
 * version does not know, so sysdig 0.29.3 never sees them.
 */
import { State } from '../state';
import { FdInfo, FdFlags } from '../fdinfo';
import { FdType } from '../../scap/metadata';
import type { EventView } from '../../event/view';
import { code } from '../../event/codes';
import { concatenatePathsLen } from '../../util/paths';
import { CANCELED_FD_NUMBER } from '../threadinfo';

const PPM_AT_FDCWD = -100;
const PPM_O_DIRECTORY = 1 << 10;
const PPM_FCNTL_F_DUPFD = 1;
const PPM_FCNTL_F_DUPFD_CLOEXEC = 26;
const PPM_CL_PIPE_SRC = 1 << 21;
const PPM_CL_PIPE_DST = 1 << 22;
/** settings.h USER_EVT_DEVICE_NAME: files opened under this name may carry tracer writes */
const USER_EVT_DEVICE_NAME = '/dev/null';

const OPEN_X = code('PPME_SYSCALL_OPEN_X');
const CREAT_X = code('PPME_SYSCALL_CREAT_X');
const OPENAT_X = code('PPME_SYSCALL_OPENAT_X');
const OPENAT_2_X = code('PPME_SYSCALL_OPENAT_2_X');
const OPENAT2_X = code('PPME_SYSCALL_OPENAT2_X');

/**
 * parse_dirfd: the directory a relative path of an *at() call is resolved against. As in
 * libsinsp it also makes the dirfd the event's fd (cur.fd), and a non-cwd dirfd always gets a
 * '/' appended to its name.
 */
export function parseDirfd(s: State, name: string, dirfd: number): string {
  const t = s.cur.thread;
  if (name.length > 0 && name[0] === '/') return '.';
  if (t === null) return '<UNKNOWN>';
  if (dirfd === PPM_AT_FDCWD) return t.getCwd();
  const f = t.getFd(dirfd);
  s.cur.fd = f;
  if (f === null) return '<UNKNOWN>';
  return f.name + '/';
}

/**
 * A path param as libsinsp's parser sees it: the C string at the param's value pointer and
 * the param's length (which counts the NUL). A zero-length param's pointer is where the next
 * param starts, so its "string" is whatever bytes follow (e.g. the flags: O_RDONLY → "\x01").
 */
function pathParam(ev: EventView, i: number): string {
  if (ev.paramLen(i) > 0) return ev.str(i);
  const b = ev.buf,
    o = ev.paramOffset(i),
    end = ev.off + ev.len;
  let e = o;
  while (e < end && b[e] !== 0) e++;
  return e > o ? b.latin1Slice(o, e) : '';
}

function parseOpenExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  const et = ev.type;
  const enter = s.retrieveEnterEvent(ev);
  const fd = ev.i64(0);
  let name: string;
  let namelen: number;
  let flags = 0;
  let dev = 0;
  let sdir: string;
  if (et === OPEN_X) {
    name = pathParam(ev, 1);
    namelen = ev.paramLen(1);
    flags = ev.u32(2);
    if (ev.paramCount > 4) dev = ev.u32(4);
    if (enter !== null && enter.paramCount >= 2) {
      const en = enter.str(0);
      if (enter.paramLen(0) !== 0 && en !== '(NULL)') {
        name = en;
        namelen = enter.paramLen(0);
        flags = enter.u32(1);
      }
    }
    sdir = t.getCwd();
  } else if (et === CREAT_X) {
    name = pathParam(ev, 1);
    namelen = ev.paramLen(1);
    if (ev.paramCount > 3) dev = ev.u32(3);
    if (enter !== null && enter.paramCount >= 1) {
      const en = enter.str(0);
      if (enter.paramLen(0) !== 0 && en !== '(NULL)') {
        name = en;
        namelen = enter.paramLen(0);
      }
    }
    sdir = t.getCwd();
  } else if (et === OPENAT_X) {
    // The old openat exit has only the fd: libsinsp reads the enter event unconditionally
    // (its m_tmp_evt, whatever it last pointed at).
    const e = s.enterEvt;
    if (e.len === 0 || e.paramCount < 3) return;
    name = pathParam(e, 1);
    namelen = e.paramLen(1);
    flags = e.u32(2);
    sdir = parseDirfd(s, name, e.i64(0));
  } else {
    name = pathParam(ev, 2);
    namelen = ev.paramLen(2);
    flags = ev.u32(3);
    let dirfd = ev.i64(1);
    if (et === OPENAT_2_X && ev.paramCount > 5) dev = ev.u32(5);
    if (enter !== null && enter.paramCount >= 3) {
      const en = enter.str(1);
      if (enter.paramLen(1) !== 0 && en !== '(NULL)') {
        name = en;
        namelen = enter.paramLen(1);
        flags = enter.u32(2);
        dirfd = enter.i64(0);
      }
    }
    sdir = parseDirfd(s, name, dirfd);
  }
  const fullpath = concatenatePathsLen(sdir, name, namelen);
  if (fd >= 0) {
    const f = new FdInfo();
    f.type = (flags & PPM_O_DIRECTORY) !== 0 ? FdType.DIRECTORY : FdType.FILE_V2;
    f.openFlags = flags;
    f.mountId = 0;
    f.dev = dev;
    f.name = fullpath;
    f.flags |= f.name === USER_EVT_DEVICE_NAME ? FdFlags.IS_TRACER_FILE : FdFlags.IS_NOT_TRACER_FD;
    setEventFd(s, fd, t.addFd(fd, f));
  }
}

/** The event's fd becomes the one just added (evt->m_fdinfo = add_fd(...)). */
function setEventFd(s: State, fd: number, f: FdInfo | null): void {
  s.cur.fd = f;
  s.cur.fdNum = fd;
}

function parseCloseEnter(s: State): void {
  const t = s.cur.thread;
  if (t === null) return;
  const f = t.getFd(t.lastEventFd);
  s.cur.fd = f;
  if (f === null) return;
  f.flags |= FdFlags.CLOSE_IN_PROGRESS;
}

function parseCloseExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  const f = s.cur.fd;
  if (ev.i64(0) >= 0) {
    if (f === null || t === null) return;
    if ((f.flags & FdFlags.CLOSE_CANCELED) !== 0) {
      // The number was reused between enter and exit: the old fd, kept aside, is the one closed.
      f.flags &= ~FdFlags.CLOSE_CANCELED;
      if (t.getFd(CANCELED_FD_NUMBER) !== null) s.scheduleFdRemoval(t, CANCELED_FD_NUMBER);
    } else {
      s.scheduleFdRemoval(t, t.lastEventFd);
    }
  } else if (f !== null) {
    f.flags &= ~FdFlags.CLOSE_IN_PROGRESS;
  }
}

function parseDupExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  const res = ev.i64(0);
  if (res < 0) return;
  // Shell-pipe heuristic
  if (res === 0) t.flags |= PPM_CL_PIPE_DST;
  if (res === 1) t.flags |= PPM_CL_PIPE_SRC;
  const f = s.cur.fd;
  if (f === null) return;
  setEventFd(s, res, t.addFd(res, f));
}

function parsePipeExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const t = s.cur.thread;
  if (t === null) return;
  const ino = ev.u64(3);
  for (const i of [1, 2]) {
    const fd = ev.i64(i);
    const f = new FdInfo();
    f.type = FdType.FIFO;
    f.name = '';
    f.ino = ino;
    setEventFd(s, fd, t.addFd(fd, f));
  }
}

/** eventfd, signalfd, timerfd_create, inotify_init: a nameless fd of one type. */
function simpleFdExit(type: number) {
  return (s: State, ev: EventView): void => {
    const t = s.cur.thread;
    if (t === null) return;
    const fd = ev.i64(0);
    if (fd < 0) return;
    const f = new FdInfo();
    f.type = type;
    f.name = '';
    setEventFd(s, fd, t.addFd(fd, f));
  };
}

function parseFcntlEnter(s: State, ev: EventView): void {
  if (s.cur.thread === null) return;
  const cmd = ev.u8(1);
  if (cmd === PPM_FCNTL_F_DUPFD || cmd === PPM_FCNTL_F_DUPFD_CLOEXEC) s.storeEvent(ev);
}

function parseFcntlExit(s: State, ev: EventView): void {
  const res = ev.i64(0);
  // Only F_DUPFD / F_DUPFD_CLOEXEC enters were stored.
  if (s.retrieveEnterEvent(ev) === null) return;
  if (res < 0) return;
  const t = s.cur.thread;
  const f = s.cur.fd;
  if (t === null || f === null) return;
  setEventFd(s, res, t.addFd(res, f));
}

function parseChdirExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  if (ev.i64(0) >= 0) t.setCwd(ev.str(1));
}

function parseFchdirExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const t = s.cur.thread;
  const f = s.cur.fd;
  if (t === null || f === null) return;
  t.setCwd(f.name);
}

function parseGetcwdExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const t = s.cur.thread;
  if (t === null) return;
  t.setCwd(ev.str(1));
}

/** select/poll/epoll_wait enter: libsinsp stamps the enter time into the stored-event buffer. */
function parseSelectPollEpollwaitEnter(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  if (t.lastEventData === null) t.lastEventData = s.reserveEventBuffer();
  t.lastEventData.writeUInt32LE(ev.tsLo, 0);
  t.lastEventData.writeUInt32LE(ev.tsHi, 4);
}

function storeEnter(s: State, ev: EventView): void {
  s.storeEvent(ev);
}

State.register([OPEN_X, CREAT_X, OPENAT_X, OPENAT_2_X, OPENAT2_X], parseOpenExit);
State.register(code('PPME_SYSCALL_CLOSE_E'), parseCloseEnter);
State.register(code('PPME_SYSCALL_CLOSE_X'), parseCloseExit);
State.register(code('PPME_SYSCALL_DUP_X'), parseDupExit);
State.register(code('PPME_SYSCALL_PIPE_X'), parsePipeExit);
State.register(code('PPME_SYSCALL_EVENTFD_X'), simpleFdExit(FdType.EVENT));
State.register(code('PPME_SYSCALL_SIGNALFD_X'), simpleFdExit(FdType.SIGNALFD));
State.register(code('PPME_SYSCALL_TIMERFD_CREATE_X'), simpleFdExit(FdType.TIMERFD));
State.register(code('PPME_SYSCALL_INOTIFY_INIT_X'), simpleFdExit(FdType.INOTIFY));
State.register(code('PPME_SYSCALL_FCNTL_E'), parseFcntlEnter);
State.register(code('PPME_SYSCALL_FCNTL_X'), parseFcntlExit);
State.register(code('PPME_SYSCALL_CHDIR_X'), parseChdirExit);
State.register(code('PPME_SYSCALL_FCHDIR_X'), parseFchdirExit);
State.register(code('PPME_SYSCALL_GETCWD_X'), parseGetcwdExit);
State.register(
  [
    code('PPME_SYSCALL_SELECT_E'),
    code('PPME_SYSCALL_POLL_E'),
    code('PPME_SYSCALL_PPOLL_E'),
    code('PPME_SYSCALL_EPOLLWAIT_E'),
  ],
  parseSelectPollEpollwaitEnter,
);
// Enter events whose exit parsers need their parameters (process_event's store_event list).
State.register(
  [
    code('PPME_SYSCALL_OPEN_E'),
    code('PPME_SYSCALL_CREAT_E'),
    code('PPME_SYSCALL_OPENAT_E'),
    code('PPME_SYSCALL_OPENAT_2_E'),
    code('PPME_SYSCALL_OPENAT2_E'),
    code('PPME_SYSCALL_EVENTFD_E'),
    code('PPME_SYSCALL_CHDIR_E'),
    code('PPME_SYSCALL_FCHDIR_E'),
  ],
  storeEnter,
);
