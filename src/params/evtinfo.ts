/**
 * evt.info / evt.args: the event's parameters rendered "name=value" or "name=value(resolved)"
 * exactly as libsinsp e5c53d64 (sysdig 0.29.3) does in sinsp_evt::get_param_as_str, and the
 * JSON form of sinsp_evt::get_param_as_json for the -j formatter.
 *
 * Quirks kept on purpose because sysdig shows them:
 *  - numbers are read with the width of the param TYPE from the param's start, whatever the
 *    stored length (old captures with 4-byte fds show `fd=4294967295`);
 *  - PT_UINT32 / PT_UINT64 / PT_UID print with %d semantics (signed), hex is upper case;
 *  - flags print the number in decimal whatever the format, names via the exact-match-first loop;
 *  - absolute paths get no resolved form, relative ones are joined to the cwd or the dirfd's path;
 *  - a zero-length path param or an FDLIST without a thread leaves the previous value in place
 *    (libsinsp does not write its string storage then);
 *  - a CHARBUF is read up to its NUL, even past its stored length.
 */
import type { EventView } from '../event/view';
import type { Out } from '../util/out';
import type { State } from '../state/state';
import type { ThreadInfo } from '../state/threadinfo';
import { L4, type FdInfo } from '../state/fdinfo';
import { FdType } from '../scap/metadata';
import { PT, PF } from '../event/types';
import type { EventInfo } from '../event/types';
import { EVENTS } from '../event/generated/events';
import { isGeneric } from '../event/codes';
import { PPM_SC_MAX, PPM_SC_NAMES } from '../event/generated/syscall-names';
import { ipv6ToString } from '../util/net';
import { joinRelativePath } from '../util/paths';
import { errnoToStr } from '../util/errno';
import { signalToStr } from '../util/signals';
import { FlagTable, flagTable } from './flags';
import {
  TWO32,
  rdU8,
  rdU16,
  rdU32,
  rdI32,
  rdI64,
  decHiLo,
  decI64,
  decU64,
  HEX2L,
  HEX1L,
  hex32,
  fmtNum32,
  fmtNum64,
  fmtG,
  hex64,
  json64,
} from './numbers';
import { sanitizeString, nulFrom, sanitizedCStr } from './cstrings';
import { PFmt, bufferFormatBits, renderByteBuf, binaryBufferToString } from './buffers';

export type BufferFormat =
  'normal' | 'ascii' | 'hex' | 'hexascii' | 'base64' | 'json' | 'jsonhex' | 'jsonhexascii' | 'jsonbase64' | 'jsonascii';

export interface RenderOptions {
  /** sysdig truncates rendered buffers to 80 bytes unless -v; 0 = no limit */
  maxBufLen: number;
  bufferFormat: BufferFormat;
}

/** A JSON value as get_param_as_json builds it (64-bit values beyond 2^53 as bigint). */
export type JsonValue = null | number | bigint | string | boolean | JsonValue[] | { [k: string]: JsonValue };

/** PPM_AT_FDCWD (-100) is recognized as hi === -1 && lo === 0xffffff9c */
const PPM_AF_UNIX = 1;
const PPM_AF_INET = 2;
const PPM_AF_INET6 = 10;

// ---------------------------------------------------------------------------------------------
// Per-event-type compiled param descriptors (built once per event code, on first use)

interface DynEntry {
  readonly type: PT;
  readonly fmt: PF;
}

/** driver/dynamic_params_table.c (e5c53d64); keyctl is from newer libs (codes unknown to e5). */
const DYN_TABLES: Record<string, readonly DynEntry[]> = {
  sockopt_dynamic_param: [
    { type: PT.BYTEBUF, fmt: PF.HEX },
    { type: PT.ERRNO, fmt: PF.DEC },
    { type: PT.UINT32, fmt: PF.DEC },
    { type: PT.UINT64, fmt: PF.DEC },
    { type: PT.RELTIME, fmt: PF.DEC },
  ],
  ptrace_dynamic_param: [
    { type: PT.UINT64, fmt: PF.HEX },
    { type: PT.SIGTYPE, fmt: PF.DEC },
  ],
  bpf_dynamic_param: [
    { type: PT.FD, fmt: PF.DEC },
    { type: PT.ERRNO, fmt: PF.DEC },
  ],
  keyctl_dynamic_param: [
    { type: PT.CHARBUF, fmt: PF.NA },
    { type: PT.INT64, fmt: PF.DEC },
  ],
};

interface CParam {
  readonly name: string;
  /** "name=" */
  readonly prefix: string;
  readonly type: PT;
  readonly fmt: PF;
  readonly flags: FlagTable | null;
  readonly dyn: readonly DynEntry[] | null;
  /** index of the dirfd param for FSRELPATH, -1 when none / not a PT_FD */
  readonly dirfd: number;
}

const COMPILED: (CParam[] | undefined)[] = new Array<CParam[] | undefined>(EVENTS.length);

function compile(info: EventInfo): CParam[] {
  const out: CParam[] = [];
  const ps = info.params;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    let dirfd = -1;
    if (p.type === PT.FSRELPATH && p.dirfd >= 0 && p.dirfd < ps.length && ps[p.dirfd].type === PT.FD) dirfd = p.dirfd;
    out.push({
      name: p.name,
      prefix: p.name + '=',
      type: p.type,
      fmt: p.fmt,
      flags: p.type === PT.DYN ? null : flagTable(p.info),
      dyn:
        p.type === PT.DYN && p.info !== null && Object.prototype.hasOwnProperty.call(DYN_TABLES, p.info)
          ? DYN_TABLES[p.info]
          : null,
      dirfd,
    });
  }
  return out;
}

function compiledFor(info: EventInfo): CParam[] {
  let c = COMPILED[info.code];
  if (c === undefined) {
    c = compile(info);
    COMPILED[info.code] = c;
  }
  return c;
}

function ipv4At(b: Buffer, o: number): string {
  return rdU8(b, o) + '.' + rdU8(b, o + 1) + '.' + rdU8(b, o + 2) + '.' + rdU8(b, o + 3);
}

/** sinsp_utils::is_ipv4_mapped_ipv6: ::ffff:a.b.c.d, or the all-zero address */
function isV4Mapped(b: Buffer, o: number): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  if (b[o + 10] === 0xff && b[o + 11] === 0xff) return true;
  return b[o + 10] === 0 && b[o + 11] === 0 && b[o + 12] === 0 && b[o + 13] === 0 && b[o + 14] === 0 && b[o + 15] === 0;
}

/** The `<f>` / `<4t>` prefix of a resolved fd, without the name. */
function fdTypeTag(f: FdInfo, simple: boolean): string {
  const tch = simple ? '' : f.typeChar();
  let pch = '';
  const ty = f.type;
  if (ty >= FdType.IPV4_SOCK && ty <= FdType.IPV6_SERVSOCK) {
    switch (f.getL4Proto()) {
      case L4.TCP:
        pch = 't';
        break;
      case L4.UDP:
        pch = 'u';
        break;
      case L4.ICMP:
        pch = 'i';
        break;
      case L4.RAW:
        pch = 'r';
        break;
      default:
        break;
    }
  }
  // typestr[0] == 0 makes the whole C string empty, even with a proto letter
  return simple ? '<>' : '<' + tch + pch + '>';
}

// ---------------------------------------------------------------------------------------------

/**
 * Bumped whenever a renderer's string storage grows: rendering the same event again may then
 * give a different (less truncated) value, so callers that reuse a rendering check it.
 */
let storGrowths = 0;
export function storageGrowths(): number {
  return storGrowths;
}

export class ParamRenderer {
  /** the last rendered value and its resolved form ('' if none) */
  value = '';
  resolved = '';
  /** the param_fmt bits for the buffer format (PF_NORMAL, PF_HEX, ...) */
  fmtBits: PFmt;
  /** size of libsinsp's m_paramstr_storage (grows like it does; caps CHARBUF/FSPATH values) */
  storSize = 1024;

  constructor(
    readonly state: State,
    public opts: RenderOptions,
  ) {
    this.fmtBits = bufferFormatBits(opts.bufferFormat);
  }

  /** Re-reads opts.bufferFormat (call after changing opts). */
  setOptions(opts: RenderOptions): void {
    this.opts = opts;
    this.fmtBits = bufferFormatBits(opts.bufferFormat);
  }

  /** evt->get_thread_info(): the event's thread, else a lookup of its tid without creating one. */
  thread(ev: EventView): ThreadInfo | null {
    const t = this.state.cur.thread;
    return t !== null ? t : this.state.getThread(ev.tid, false);
  }

  /** Renders param i of ev into this.value / this.resolved (get_param_as_str). */
  render(ev: EventView, i: number): void {
    const info = ev.info;
    if (info === null || i >= ev.paramCount) {
      this.value = '';
      this.resolved = '';
      return;
    }
    this.renderParam(ev, compiledFor(info)[i], i);
  }

  private renderParam(ev: EventView, cp: CParam, i: number): void {
    let o = ev.paramOffset(i);
    let len = ev.paramLen(i);
    let type = cp.type;
    if (type === PT.DYN && cp.dyn !== null && len !== 0) {
      const idx = rdU8(ev.buf, o);
      if (idx < cp.dyn.length) {
        type = cp.dyn[idx].type;
        o++;
        len--;
      }
    }
    renderText(this, ev, cp, type, o, len, this.fmtBits);
  }

  /** evt.info: every param as name=value[(resolved)] followed by a space, as 0.29.3 prints it. */
  info(ev: EventView): string {
    if (isGeneric(ev.type)) return '';
    const info = ev.info;
    if (info === null) return '';
    const cps = compiledFor(info);
    const n = ev.paramCount;
    let s = '';
    for (let j = 0; j < n; j++) {
      const cp = cps[j];
      this.renderParam(ev, cp, j);
      s += cp.prefix + this.value + (this.resolved === '' ? ' ' : '(' + this.resolved + ') ');
    }
    return s;
  }

  /** info(ev) appended to out piece by piece (the hot path of the default line: no concatenation). */
  infoInto(ev: EventView, out: Out): void {
    if (isGeneric(ev.type)) return;
    const info = ev.info;
    if (info === null) return;
    const cps = compiledFor(info);
    const n = ev.paramCount;
    for (let j = 0; j < n; j++) {
      const cp = cps[j];
      this.renderParam(ev, cp, j);
      out.str(cp.prefix);
      out.str(this.value);
      const r = this.resolved;
      if (r === '') {
        out.byte(0x20);
      } else {
        out.byte(0x28);
        out.str(r);
        out.byte(0x29);
        out.byte(0x20);
      }
    }
  }

  /** The JSON value of param i (get_param_as_json); this.resolved gets the resolved string, as libsinsp fills it. */
  renderJson(ev: EventView, i: number): JsonValue {
    const info = ev.info;
    this.resolved = '';
    if (info === null || i >= ev.paramCount) return null;
    const cp = compiledFor(info)[i];
    let o = ev.paramOffset(i);
    let len = ev.paramLen(i);
    let type = cp.type;
    if (type === PT.DYN && cp.dyn !== null && len !== 0) {
      const idx = rdU8(ev.buf, o);
      if (idx < cp.dyn.length) {
        type = cp.dyn[idx].type;
        o++;
        len--;
      }
    }
    return rendererFor(JSON_RENDERERS, type, jsonNA)(this, ev, cp, type, o, len, this.fmtBits);
  }
}

// ---------------------------------------------------------------------------------------------
// Text renderers (get_param_as_str), one per parameter type: each writes r.value and, when the
// value has one, r.resolved (already ''). `type` is the param's type after a PT_DYN selector.

type TextRenderer = (r: ParamRenderer, ev: EventView, cp: CParam, type: PT, o: number, len: number, fmt: PFmt) => void;

function renderText(r: ParamRenderer, ev: EventView, cp: CParam, type: PT, o: number, len: number, fmt: PFmt): void {
  r.resolved = '';
  rendererFor(TEXT_RENDERERS, type, textNA)(r, ev, cp, type, o, len, fmt);
}

const textNA: TextRenderer = (r) => {
  r.value = '(n.a.)';
};

const textInvalidDyn: TextRenderer = (r) => {
  r.value = 'INVALID DYNAMIC PARAMETER';
};

const textInt8: TextRenderer = (r, ev, cp, _t, o) => {
  const v = (rdU8(ev.buf, o) << 24) >> 24;
  r.value = fmtNum32(cp.fmt, v, v >>> 0);
};

const textInt16: TextRenderer = (r, ev, cp, _t, o) => {
  const v = (rdU16(ev.buf, o) << 16) >> 16;
  r.value = fmtNum32(cp.fmt, v, v >>> 0);
};

const textInt32: TextRenderer = (r, ev, cp, _t, o) => {
  const v = rdI32(ev.buf, o);
  r.value = fmtNum32(cp.fmt, v, v >>> 0);
};

const textUint8: TextRenderer = (r, ev, cp, _t, o) => {
  const v = rdU8(ev.buf, o);
  r.value = fmtNum32(cp.fmt, v, v);
};

const textUint16: TextRenderer = (r, ev, cp, _t, o) => {
  const v = rdU16(ev.buf, o);
  r.value = fmtNum32(cp.fmt, v, v);
};

const textUint32: TextRenderer = (r, ev, cp, _t, o) => {
  const v = rdU32(ev.buf, o);
  r.value = fmtNum32(cp.fmt, v | 0, v);
};

const textNum64: TextRenderer = (r, ev, cp, _t, o) => {
  r.value = fmtNum64(cp.fmt, ev.buf, o);
};

const textFd: TextRenderer = (r, ev, _cp, _t, o, _len, fmt) => {
  renderFd(r, ev, rdI32(ev.buf, o + 4), rdU32(ev.buf, o), fmt);
};

const textFd32: TextRenderer = (r, ev, _cp, _t, o, _len, fmt) => {
  const v = rdI32(ev.buf, o);
  renderFd(r, ev, v < 0 ? -1 : 0, v >>> 0, fmt);
};

const textPid: TextRenderer = (r, ev, _cp, _t, o) => {
  r.value = decI64(ev.buf, o);
  const t = r.state.getThread(rdI64(ev.buf, o), false);
  if (t !== null) r.resolved = t.comm;
};

const textPid32: TextRenderer = (r, ev, _cp, _t, o) => {
  const pid = rdI32(ev.buf, o);
  r.value = String(pid);
  const t = r.state.getThread(pid, false);
  if (t !== null) r.resolved = t.comm;
};

const textErrno: TextRenderer = (r, ev, _cp, _t, o) => {
  const b = ev.buf;
  r.value = decI64(b, o);
  if (rdI32(b, o + 4) < 0) r.resolved = errnoToStr(rdU32(b, o) | 0);
};

const textCharbuf: TextRenderer = (r, ev, _cp, _t, o, len) => {
  if (len > r.storSize) {
    r.storSize = len;
    storGrowths++;
  }
  let e = nulFrom(ev.buf, o);
  if (e - o > r.storSize - 1) e = o + r.storSize - 1;
  r.value = ev.buf.latin1Slice(o, e);
};

/** PT_FSPATH / PT_FSRELPATH: sanitized value; resolved = relative path joined to the base dir. */
const textPath: TextRenderer = (r, ev, cp, _t, o, len) => {
  const b = ev.buf;
  if (len > 0) {
    // strcpy_sanitized(storage, payload, min(len, storage size))
    const dst = len < r.storSize ? len : r.storSize;
    let v = sanitizedCStr(b, o);
    if (v.length >= dst) v = v.slice(0, dst - 1);
    r.value = v;
  }
  const t = r.thread(ev);
  if (t === null || len === 0) return;
  // "<NA>" prefix: not resolved
  if (rdU8(b, o) === 0x3c && rdU8(b, o + 1) === 0x4e && rdU8(b, o + 2) === 0x41 && rdU8(b, o + 3) === 0x3e) return;
  // absolute: concatenate_paths returns false and libsinsp clears the resolved string
  if (rdU8(b, o) === 0x2f) return;
  r.resolved = joinRelativePath(baseDir(ev, cp, t), b, o);
};

const textBytebuf: TextRenderer = (r, ev, _cp, _t, o, len, fmt) => {
  r.value = renderByteBuf(ev.buf, o, len, fmt, r.opts.maxBufLen);
  if (r.value.length >= r.storSize - 1) {
    while (r.value.length >= r.storSize - 1) r.storSize *= 2;
    storGrowths++;
  }
};

const textSockaddr: TextRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = sockaddr(ev.buf, o, len);
};

const textSocktuple: TextRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = socktuple(ev.buf, o, len);
};

const textFdlist: TextRenderer = (r, ev, _cp, _t, o) => {
  const t = r.thread(ev);
  if (t === null) return; // libsinsp leaves its storage untouched
  const b = ev.buf;
  const nfds = rdU16(b, o);
  let s = '';
  let p = o + 2;
  for (let j = 0; j < nfds; j++) {
    const f = t.getFd(rdI64(b, p));
    s +=
      decU64(b, p) +
      ':' +
      (f !== null ? f.typeChar() : '?') +
      hex32(((rdU16(b, p + 8) << 16) >> 16) >>> 0, HEX1L, HEX2L);
    if (j < nfds - 1) s += ' ';
    p += 10;
  }
  r.value = s;
};

const textSyscallId: TextRenderer = (r, ev, _cp, _t, o) => {
  const id = rdU16(ev.buf, o);
  if (id >= PPM_SC_MAX) {
    r.value = '<unknown syscall>';
    return;
  }
  r.value = String(id);
  r.resolved = id < PPM_SC_NAMES.length ? PPM_SC_NAMES[id] : '';
};

const textSigtype: TextRenderer = (r, ev, _cp, _t, o) => {
  const v = rdU8(ev.buf, o);
  r.value = String(v);
  r.resolved = signalToStr(v);
};

const textReltime: TextRenderer = (r, ev, _cp, _t, o) => {
  const b = ev.buf;
  const hi = rdU32(b, o + 4),
    lo = rdU32(b, o);
  if (hi === 0xffffffff && lo === 0xffffffff) {
    r.value = 'none';
    return;
  }
  r.value = decU64(b, o);
  r.resolved = fmtG((hi * TWO32 + lo) / 1e9) + 's';
};

/** The 8/16/32-bit value of a FLAGS or ENUMFLAGS param. */
function flagsValue(b: Buffer, o: number, type: PT): number {
  return type === PT.FLAGS8 || type === PT.ENUMFLAGS8
    ? rdU8(b, o)
    : type === PT.FLAGS16 || type === PT.ENUMFLAGS16
      ? rdU16(b, o)
      : rdU32(b, o);
}

const textFlags: TextRenderer = (r, ev, cp, type, o) => {
  const v = flagsValue(ev.buf, o, type);
  r.value = String(v);
  if (cp.flags !== null) r.resolved = cp.flags.resolve(v);
};

// not in e5c53d64 (only events it does not know use it): rendered as newer libs do
const textEnumFlags: TextRenderer = (r, ev, cp, type, o) => {
  const v = flagsValue(ev.buf, o, type);
  r.value = String(v);
  if (cp.flags !== null) r.resolved = cp.flags.enumName(v);
};

const textMode: TextRenderer = (r, ev, cp, _t, o) => {
  const v = rdU32(ev.buf, o);
  r.value = fmtNum32(cp.fmt, v | 0, v);
  if (cp.flags !== null) r.resolved = cp.flags.resolve(v);
};

const textUidGid: TextRenderer = (r, ev, _cp, type, o) => {
  const v = rdU32(ev.buf, o);
  if (v === 0xffffffff) {
    r.value = '-1';
    r.resolved = '<NONE>';
    return;
  }
  r.value = String(v | 0);
  const e = type === PT.UID ? r.state.users.get(v) : r.state.groups.get(v);
  r.resolved = e !== undefined ? sanitizeString(e.name) : '<NA>';
};

const textSigset: TextRenderer = (r, ev, _cp, _t, o) => {
  const v = rdU32(ev.buf, o);
  let s = '';
  for (let sig = 0; sig < 32; sig++) {
    if ((v & (1 << sig)) !== 0) {
      const n = signalToStr(sig + 1);
      if (n !== '') s += (s === '' ? '' : ' ') + n;
    }
  }
  r.value = s;
};

// libsinsp only sees these built in memory (tracers); from a file: NUL-separated strings
const textCharbufArray: TextRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = strArray(ev.buf, o, len, false);
};

const textCharbufPairArray: TextRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = strArray(ev.buf, o, len, true);
};

// Types no e5c53d64 event uses (only codes it does not know): as newer libs print them.
const textPort: TextRenderer = (r, ev, _cp, _t, o) => {
  r.value = String(rdU16(ev.buf, o));
};

const textIpv4: TextRenderer = (r, ev, _cp, _t, o) => {
  r.value = ipv4At(ev.buf, o);
};

const textIpv6: TextRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = len >= 16 ? ipv6ToString(ev.buf, o) : '';
};

const textBool: TextRenderer = (r, ev, _cp, _t, o) => {
  r.value = rdU32(ev.buf, o) !== 0 ? 'true' : 'false';
};

const textDouble: TextRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = len >= 8 ? ev.buf.readDoubleLE(o).toFixed(6) : '0.000000';
};

const LAST_PT: number = PT.PID32;

/** A dense table indexed by PT: the given renderers, `otherwise` for every other type. */
function byType<F>(renderers: Partial<Record<PT, F>>, otherwise: F): F[] {
  const t: F[] = [];
  for (let p = 0; p <= LAST_PT; p++) t.push(renderers[p as PT] ?? otherwise);
  return t;
}

/** The renderer of a type (`otherwise` for a number beyond the table). */
function rendererFor<F>(table: readonly F[], type: PT, otherwise: F): F {
  const t: number = type;
  return t < table.length ? table[t] : otherwise;
}

const TEXT_RENDERERS: readonly TextRenderer[] = byType<TextRenderer>(
  {
    [PT.INT8]: textInt8,
    [PT.INT16]: textInt16,
    [PT.INT32]: textInt32,
    [PT.UINT8]: textUint8,
    [PT.UINT16]: textUint16,
    [PT.UINT32]: textUint32,
    [PT.INT64]: textNum64,
    [PT.UINT64]: textNum64,
    [PT.FD]: textFd,
    [PT.FD32]: textFd32,
    [PT.PID]: textPid,
    [PT.PID32]: textPid32,
    [PT.ERRNO]: textErrno,
    [PT.CHARBUF]: textCharbuf,
    [PT.FSPATH]: textPath,
    [PT.FSRELPATH]: textPath,
    [PT.BYTEBUF]: textBytebuf,
    [PT.SOCKADDR]: textSockaddr,
    [PT.SOCKTUPLE]: textSocktuple,
    [PT.FDLIST]: textFdlist,
    [PT.SYSCALLID]: textSyscallId,
    [PT.SIGTYPE]: textSigtype,
    [PT.RELTIME]: textReltime,
    [PT.FLAGS8]: textFlags,
    [PT.FLAGS16]: textFlags,
    [PT.FLAGS32]: textFlags,
    [PT.ENUMFLAGS8]: textEnumFlags,
    [PT.ENUMFLAGS16]: textEnumFlags,
    [PT.ENUMFLAGS32]: textEnumFlags,
    [PT.MODE]: textMode,
    [PT.UID]: textUidGid,
    [PT.GID]: textUidGid,
    [PT.SIGSET]: textSigset,
    [PT.CHARBUFARRAY]: textCharbufArray,
    [PT.CHARBUF_PAIR_ARRAY]: textCharbufPairArray,
    [PT.ABSTIME]: textInvalidDyn,
    [PT.DYN]: textInvalidDyn,
    [PT.PORT]: textPort,
    [PT.IPV4ADDR]: textIpv4,
    [PT.IPV6ADDR]: textIpv6,
    [PT.BOOL]: textBool,
    [PT.DOUBLE]: textDouble,
  },
  textNA,
);

/** render_fd: the number, and `<type[proto]>name`, AT_FDCWD or the errno name. */
function renderFd(r: ParamRenderer, ev: EventView, hi: number, lo: number, fmt: PFmt): void {
  r.value = decHiLo(hi, lo);
  const t = r.thread(ev);
  if (t === null) return;
  if (hi >= 0) {
    const f = t.getFd(hi * TWO32 + lo);
    if (f !== null) r.resolved = fdTypeTag(f, (fmt & PFmt.SIMPLE) !== 0) + sanitizeString(f.name);
  } else if (hi === -1 && lo === 0xffffff9c) {
    r.resolved = 'AT_FDCWD';
  } else {
    r.resolved = errnoToStr(lo | 0);
  }
}

/** get_base_dir: the thread's cwd, or for FSRELPATH the dirfd's path + '/' (unless AT_FDCWD). */
function baseDir(ev: EventView, cp: CParam, t: ThreadInfo): string {
  const cwd = t.getCwd();
  if (cp.type !== PT.FSRELPATH || cp.dirfd < 0 || cp.dirfd >= ev.paramCount) return cwd;
  const o = ev.paramOffset(cp.dirfd);
  const b = ev.buf;
  const hi = rdI32(b, o + 4),
    lo = rdU32(b, o);
  if (hi === -1 && lo === 0xffffff9c) return cwd;
  // get_path_for_dir_fd: the fd's name; sysdig would readlink /proc/<pid>/fd/<n> on the
  // replaying host when the fd is unknown, which cannot apply to a trace: ''.
  const f = hi < 0 ? null : t.getFd(hi * TWO32 + lo);
  if (f === null || f.name === '') return '';
  return sanitizeString(f.name) + '/';
}

function sockaddr(b: Buffer, o: number, len: number): string {
  if (len === 0) return 'NULL';
  const fam = rdU8(b, o);
  if (fam === PPM_AF_UNIX) return sanitizedCStr(b, o + 1);
  if (fam === PPM_AF_INET) {
    if (len === 7) return ipv4At(b, o + 1) + ':' + rdU16(b, o + 5);
    return 'INVALID IPv4';
  }
  if (fam === PPM_AF_INET6) {
    if (len === 19) return ipv6ToString(b, o + 1) + ':' + rdU16(b, o + 17);
    return 'INVALID IPv6';
  }
  return 'family ' + ((fam << 24) >> 24);
}

function socktuple(b: Buffer, o: number, len: number): string {
  if (len === 0) return 'NULL';
  const fam = rdU8(b, o);
  if (fam === PPM_AF_INET) {
    if (len === 13) return ipv4At(b, o + 1) + ':' + rdU16(b, o + 5) + '->' + ipv4At(b, o + 7) + ':' + rdU16(b, o + 11);
    return 'INVALID IPv4';
  }
  if (fam === PPM_AF_INET6) {
    if (len === 37) {
      if (isV4Mapped(b, o + 1) && isV4Mapped(b, o + 19)) {
        return ipv4At(b, o + 13) + ':' + rdU16(b, o + 17) + '->' + ipv4At(b, o + 31) + ':' + rdU16(b, o + 35);
      }
      return ipv6ToString(b, o + 1) + ':' + rdU16(b, o + 17) + '->' + ipv6ToString(b, o + 19) + ':' + rdU16(b, o + 35);
    }
    return 'INVALID IPv6';
  }
  if (fam === PPM_AF_UNIX) {
    return hex64(b, o + 1) + '->' + hex64(b, o + 9) + ' ' + (len > 17 ? sanitizedCStr(b, o + 17) : '');
  }
  return 'family ' + ((fam << 24) >> 24);
}

function strArray(b: Buffer, o: number, len: number, pairs: boolean): string {
  const end = o + len;
  let s = '';
  let k = 0;
  let p = o;
  while (p < end) {
    let e = p;
    while (e < end && b[e] !== 0) e++;
    const str = b.latin1Slice(p, e);
    if (pairs) s += (k === 0 ? '' : (k & 1) === 1 ? ':' : ',') + str;
    else s += (k === 0 ? '' : '.') + str;
    k++;
    p = e + 1;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// JSON renderers (get_param_as_json / render_fd_json), for the -j formatter: each returns the
// value and sets r.resolved (already '') as libsinsp fills it. jsoncpp sorts object keys when
// it writes them; objects here are built in that order already.

type JsonRenderer = (
  r: ParamRenderer,
  ev: EventView,
  cp: CParam,
  type: PT,
  o: number,
  len: number,
  fmt: PFmt,
) => JsonValue;

const jsonNA: JsonRenderer = (r) => {
  r.value = '(n.a.)';
  return null;
};

const jsonInvalidDyn: JsonRenderer = (r) => {
  r.value = 'INVALID DYNAMIC PARAMETER';
  return null;
};

/** The types whose JSON value is their text rendering. */
const jsonAsText: JsonRenderer = (r, ev, cp, type, o, len, fmt) => {
  renderText(r, ev, cp, type, o, len, fmt);
  return r.value;
};

const jsonPid: JsonRenderer = (r, ev, _cp, _t, o) => {
  const t = r.state.getThread(rdI64(ev.buf, o), false);
  if (t !== null) r.resolved = t.comm;
  return json64(ev.buf, o, false);
};

const jsonErrno: JsonRenderer = (r, ev, _cp, _t, o) => {
  const b = ev.buf;
  if (rdI32(b, o + 4) < 0) r.resolved = errnoToStr(rdU32(b, o) | 0);
  return json64(b, o, true);
};

const jsonFd: JsonRenderer = (r, ev, _cp, _t, o, _len, fmt) => {
  const b = ev.buf;
  const hi = rdI32(b, o + 4),
    lo = rdU32(b, o);
  const out: { [k: string]: JsonValue } = {};
  const t = r.thread(ev);
  if (t !== null) {
    if (hi >= 0) {
      const f = t.getFd(hi * TWO32 + lo);
      if (f !== null) {
        out.name = sanitizeString(f.name);
        out.typechar = fdTypeTag(f, (fmt & PFmt.SIMPLE) !== 0).slice(1, -1);
      }
    } else if (hi === -1 && lo === 0xffffff9c) {
      out.name = 'AT_FDCWD';
    } else {
      const e = errnoToStr(lo | 0);
      if (e !== '') out.error = e;
    }
  }
  out.num = json64(b, o, false);
  return out;
};

const jsonSockaddr: JsonRenderer = (_r, ev, _cp, _t, o, len): JsonValue => {
  if (len === 0) return null;
  const b = ev.buf;
  const fam = rdU8(b, o);
  if (fam === PPM_AF_UNIX) return sanitizedCStr(b, o + 1);
  if (fam === PPM_AF_INET) {
    if (len === 7) return { addr: ipv4At(b, o + 1), port: rdU16(b, o + 5) };
    return 'INVALID IPv4';
  }
  return { family: (fam << 24) >> 24 };
};

const jsonSocktuple: JsonRenderer = (r, ev, _cp, _t, o, len): JsonValue => {
  if (len === 0) return null;
  const b = ev.buf;
  const fam = rdU8(b, o);
  if (fam === PPM_AF_INET) {
    if (len === 13) {
      return {
        dst: { addr: ipv4At(b, o + 7), port: rdU16(b, o + 11) },
        src: { addr: ipv4At(b, o + 1), port: rdU16(b, o + 5) },
      };
    }
    return 'INVALID IPv4';
  }
  if (fam === PPM_AF_INET6) {
    if (len === 37) {
      if (isV4Mapped(b, o + 1) && isV4Mapped(b, o + 19)) {
        return {
          dst: { addr: ipv4At(b, o + 31), port: rdU16(b, o + 35) },
          src: { addr: ipv4At(b, o + 13), port: rdU16(b, o + 17) },
        };
      }
      return {
        dst: { addr: ipv6ToString(b, o + 19), port: rdU16(b, o + 35) },
        src: { addr: ipv6ToString(b, o + 1), port: rdU16(b, o + 17) },
      };
    }
    return 'INVALID IPv6';
  }
  if (fam === PPM_AF_UNIX) {
    // libsinsp writes the string storage but leaves the JSON value null
    r.value = socktuple(b, o, len);
    return null;
  }
  return { family: (fam << 24) >> 24 };
};

const jsonSyscallId: JsonRenderer = (r, ev, _cp, _t, o) => {
  const id = rdU16(ev.buf, o);
  if (id >= PPM_SC_MAX) {
    r.resolved = '<unknown syscall>';
    return null;
  }
  r.resolved = id < PPM_SC_NAMES.length ? PPM_SC_NAMES[id] : '';
  return id;
};

const jsonSigtype: JsonRenderer = (r, ev, _cp, _t, o) => {
  const v = rdU8(ev.buf, o);
  r.resolved = signalToStr(v);
  return v;
};

const jsonReltime: JsonRenderer = (r, ev, _cp, _t, o) => {
  const b = ev.buf;
  const hi = rdU32(b, o + 4),
    lo = rdU32(b, o);
  r.resolved = fmtG((hi * TWO32 + lo) / 1e9) + 's';
  return json64(b, o, true);
};

const jsonFlags: JsonRenderer = (_r, ev, cp, type, o, len): JsonValue => {
  // *(uint32_t*)payload masked to the stored length
  const raw = rdU32(ev.buf, o);
  const v = len >= 4 ? raw : (raw & ((1 << (len * 8)) - 1)) >>> 0;
  const names: JsonValue[] = [];
  if (cp.flags !== null) {
    const s = cp.flags.resolve(v);
    if (s !== '') for (const n of s.split('|')) names.push(n);
  }
  return type === PT.MODE ? { mode: names, val: v } : { flags: names, val: v };
};

const jsonUidGid: JsonRenderer = (_r, ev, _cp, _t, o) => {
  const v = rdU32(ev.buf, o);
  return v === 0xffffffff ? -1 : v;
};

const jsonCharbufArray: JsonRenderer = (r, ev, _cp, _t, o, len) => {
  r.value = strArray(ev.buf, o, len, false).split('.').join(',');
  return null;
};

const JSON_RENDERERS: readonly JsonRenderer[] = byType<JsonRenderer>(
  {
    [PT.INT8]: (_r, ev, _cp, _t, o) => (rdU8(ev.buf, o) << 24) >> 24,
    [PT.INT16]: (_r, ev, _cp, _t, o) => (rdU16(ev.buf, o) << 16) >> 16,
    [PT.INT32]: (_r, ev, _cp, _t, o) => rdI32(ev.buf, o),
    [PT.INT64]: (_r, ev, _cp, _t, o) => json64(ev.buf, o, true),
    [PT.UINT8]: (_r, ev, _cp, _t, o) => rdU8(ev.buf, o),
    [PT.UINT16]: (_r, ev, _cp, _t, o) => rdU16(ev.buf, o),
    [PT.UINT32]: (_r, ev, _cp, _t, o) => rdU32(ev.buf, o),
    [PT.UINT64]: (_r, ev, _cp, _t, o) => json64(ev.buf, o, false),
    [PT.PID]: jsonPid,
    [PT.ERRNO]: jsonErrno,
    [PT.FD]: jsonFd,
    [PT.CHARBUF]: jsonAsText,
    [PT.FSPATH]: jsonAsText,
    [PT.FSRELPATH]: jsonAsText,
    [PT.BYTEBUF]: jsonAsText,
    [PT.FDLIST]: jsonAsText,
    [PT.SIGSET]: jsonAsText,
    [PT.SOCKADDR]: jsonSockaddr,
    [PT.SOCKTUPLE]: jsonSocktuple,
    [PT.SYSCALLID]: jsonSyscallId,
    [PT.SIGTYPE]: jsonSigtype,
    [PT.RELTIME]: jsonReltime,
    [PT.FLAGS8]: jsonFlags,
    [PT.FLAGS16]: jsonFlags,
    [PT.FLAGS32]: jsonFlags,
    [PT.MODE]: jsonFlags,
    [PT.UID]: jsonUidGid,
    [PT.GID]: jsonUidGid,
    [PT.CHARBUFARRAY]: jsonCharbufArray,
    [PT.CHARBUF_PAIR_ARRAY]: jsonInvalidDyn,
    [PT.ABSTIME]: jsonInvalidDyn,
    [PT.DYN]: jsonInvalidDyn,
  },
  jsonNA,
);

/** For tests and other formatters: binary_buffer_to_string with a BufferFormat name. */
export function formatBuffer(buf: Uint8Array, fmt: BufferFormat): string {
  return binaryBufferToString(buf, 0, buf.length, bufferFormatBits(fmt));
}
