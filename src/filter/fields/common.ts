/**
 * Shared machinery of the field catalog: field specs, libsinsp-style value rendering
 * (sinsp_filter_check::rawval_to_string), event-table lookups and thread helpers.
 */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import type { ThreadExtras, ThreadInfo } from '../../state/threadinfo';
import type { FdInfo } from '../../state/fdinfo';
import { FieldError, FieldType, FieldValue } from '../field-api';
import { EVENTS } from '../../event/generated/events';
import { ipv4ToString, ipv6ToString } from '../../util/net';
import { ParamRenderer } from '../../params/evtinfo';
import { PF, PT } from '../../event/types';

/** What a bound field does per event. */
export interface Extractor {
  extract: (ev: EventView, st: State) => FieldValue;
  /** sysdig rendering; defaults to rendering extract() by the field's ptype/print format */
  format?: (ev: EventView, st: State) => string | null;
  cmp?: 'any' | 'endpoints' | 'around';
  values?: (ev: EventView, st: State) => FieldValue[] | null;
  /** overrides of the static info (evt.rawarg takes the parameter's type) */
  ptype?: string;
}

export interface FieldSpec {
  readonly name: string;
  readonly ptype: string;
  readonly pf: PF;
  readonly desc: string;
  readonly cls: string;
  readonly arg?: 'none' | 'allowed' | 'required';
  readonly filterOnly?: boolean;
  readonly isList?: boolean;
  readonly noRhs?: boolean;
  /** table-only / print-only fields libs hides from `list` by default */
  readonly hidden?: boolean;
  /**
   * Dotted argument forms (evt.arg.NAME): given the text after "name.", returns how many
   * characters form the argument (0 = none). Used by bind() and matchPrefix().
   */
  readonly dotted?: (rest: string) => number;
  /** builds the per-binding extractor; `arg` was validated for presence by the registry */
  make(arg: string | null): Extractor;
}

// ---------------------------------------------------------------------------------------------
// Types

export function ptypeToFieldType(ptype: string): FieldType {
  switch (ptype) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
    case 'CHARBUFARRAY':
    case 'CHARBUF_PAIR_ARRAY':
      return 'string';
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'PID':
    case 'FD':
    case 'ERRNO':
      return 'int';
    case 'BOOL':
      return 'bool';
    case 'IPADDR':
    case 'IPV4ADDR':
    case 'IPV6ADDR':
      return 'ipaddr';
    case 'IPNET':
    case 'IPV4NET':
    case 'IPV6NET':
      return 'ipnet';
    case 'PORT':
      return 'port';
    case 'BYTEBUF':
    case 'SOCKADDR':
    case 'SOCKTUPLE':
    case 'FDLIST':
    case 'DYN':
      return 'bytebuf';
    case 'RELTIME':
      return 'reltime';
    case 'ABSTIME':
      return 'abstime';
    case 'DOUBLE':
      return 'double';
    default:
      return 'uint';
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering (sinsp_filter_check::rawval_to_string)

const TWO64 = 18446744073709551616n;

function toBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
}

function pad9(s: string, neg: boolean): string {
  // printf("%09d"): zero padding after the sign
  if (neg) return '-' + (s.length >= 8 ? s : '00000000'.slice(s.length) + s);
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}

/** width in bits of the integer ptypes (for %X of negatives) */
function intBits(ptype: string): number {
  switch (ptype) {
    case 'INT8':
    case 'UINT8':
    case 'L4PROTO':
      return 8;
    case 'INT16':
    case 'UINT16':
    case 'PORT':
      return 16;
    case 'INT32':
    case 'UINT32':
      return 32;
    default:
      return 64;
  }
}

function renderInt(v: number | bigint, ptype: string, pf: PF, signed: boolean): string | null {
  const bits = intBits(ptype);
  switch (pf) {
    case PF.DEC:
    case PF.ID:
      return typeof v === 'bigint' ? v.toString() : String(v);
    case PF.OCT: {
      let b = toBig(v);
      if (b < 0n) b += 1n << BigInt(bits);
      return b.toString(8);
    }
    case PF.HEX: {
      if (!signed && bits <= 32) return typeof v === 'bigint' ? v.toString() : String(v); // PRIu for %X on u8/16/32
      let b = toBig(v);
      if (b < 0n) b += bits === 64 ? TWO64 : 1n << BigInt(bits);
      return b.toString(16).toUpperCase();
    }
    case PF.PADDED_DEC:
      if (bits !== 64) return null;
      {
        const b = toBig(v);
        return pad9((b < 0n ? -b : b).toString(), b < 0n);
      }
    default:
      // PF_NA: INT64/PID/ERRNO fall back to %d; the narrower types yield nothing
      if (signed && bits === 64) return typeof v === 'bigint' ? v.toString() : String(v);
      return null;
  }
}

/** Renders a typed value like sysdig -p (null → "<NA>"). */
export function renderValue(v: FieldValue, ptype: string, pf: PF): string | null {
  if (v === null) return null;
  if (Array.isArray(v)) return '(' + v.map((x) => String(x)).join(',') + ')';
  switch (ptype) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.latin1Slice(0, v.length) : String(v);
    case 'BOOL':
      return v === true || v === 1 ? 'true' : 'false';
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'PID':
    case 'ERRNO':
      return typeof v === 'number' || typeof v === 'bigint' ? renderInt(v, ptype, pf, true) : null;
    case 'L4PROTO':
    case 'UINT8':
    case 'PORT':
    case 'UINT16':
    case 'UINT32':
    case 'UINT64':
    case 'RELTIME':
    case 'ABSTIME':
      return typeof v === 'number' || typeof v === 'bigint' ? renderInt(v, ptype, pf, false) : null;
    case 'BYTEBUF': {
      if (typeof v === 'string') return cstr(v);
      if (Buffer.isBuffer(v)) {
        let e = 0;
        while (e < v.length && v[e] !== 0) e++;
        return v.latin1Slice(0, e);
      }
      return null;
    }
    case 'IPV4ADDR':
    case 'IPV6ADDR':
    case 'IPADDR':
      if (typeof v === 'number') return ipv4ToString(v);
      if (Buffer.isBuffer(v)) {
        if (v.length === 4) return `${v[0]}.${v[1]}.${v[2]}.${v[3]}`;
        if (v.length === 16) return ipv6ToString(v);
      }
      return null;
    case 'DOUBLE':
      return typeof v === 'number' ? v.toFixed(1) : null;
    default:
      // sysdig 0.29.3 throws ("wrong event type N") for these; we print the number
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      if (typeof v === 'string') return v;
      return null;
  }
}

/** A C string's view of a JS byte string (up to the first NUL). */
export function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** sinsp_filter_check_reference::format_time (evt.latency.human) */
export function formatTimeNice(val: number): string {
  const S = 1e9;
  const u = (x: number) => Math.floor(x) >>> 0;
  const p2 = (x: number) => (x < 10 ? '0' + x : String(x));
  if (val >= 3600 * S) return `${p2(u(val / (3600 * S)))}:${p2(u(val / (60 * S)) % 60)}:${p2(u(val / S) % 60)}`;
  if (val >= 60 * S) return `${u(val / (60 * S))}:${u(val / S) % 60}`;
  if (val >= S) return `${u(val / S)}.${p2(u((val % S) / 10000000))}s`;
  if (val >= S / 100) return `${u(val / 1000000)}ms`;
  if (val >= S / 1000) return `${u(val / 1000000)}.${p2(u((val % 1000000) / 10000))}ms`;
  if (val >= S / 100000) return `${u(val / 1000)}us`;
  if (val >= S / 1000000) return `${u(val / 1000)}.${p2(u((val % 1000) / 10))}us`;
  return `${u(val)}ns`;
}

// ---------------------------------------------------------------------------------------------
// Event table

export const enum EF {
  CREATES_FD = 1,
  DESTROYS_FD = 2,
  USES_FD = 4,
  READS_FROM_FD = 8,
  WRITES_TO_FD = 16,
  WAITS = 32,
  SKIPPARSERESET = 64,
  OLD_VERSION = 128,
  UNUSED = 256,
  MODIFIES_STATE = 512,
}

const EF_BITS: Record<string, number> = {
  EF_CREATES_FD: EF.CREATES_FD,
  EF_DESTROYS_FD: EF.DESTROYS_FD,
  EF_USES_FD: EF.USES_FD,
  EF_READS_FROM_FD: EF.READS_FROM_FD,
  EF_WRITES_TO_FD: EF.WRITES_TO_FD,
  EF_WAITS: EF.WAITS,
  EF_SKIPPARSERESET: EF.SKIPPARSERESET,
  EF_OLD_VERSION: EF.OLD_VERSION,
  EF_UNUSED: EF.UNUSED,
  EF_MODIFIES_STATE: EF.MODIFIES_STATE,
};

/** per event code: EF bit set */
export const EVT_FLAGS = new Uint16Array(EVENTS.length);
/** per event code: category name without EC_ ('FILE', 'IO_READ', ...) */
export const EVT_CAT: string[] = new Array<string>(EVENTS.length).fill('UNKNOWN');
/** per event code: param name → index */
const PARAM_INDEX: (Map<string, number> | null)[] = new Array<Map<string, number> | null>(EVENTS.length).fill(null);
/** every parameter name of any event, with the PT type of its first occurrence */
export const ALL_PARAMS = new Map<string, number>();
/** every event name */
export const EVENT_NAMES = new Set<string>();
/** PPME enum name → code */

for (const e of EVENTS) {
  if (!e) continue;
  let f = 0;
  for (const fl of e.flags) f |= EF_BITS[fl] ?? 0;
  EVT_FLAGS[e.code] = f;
  EVT_CAT[e.code] = e.category.replace(/^EC_/, '');
  const m = new Map<string, number>();
  e.params.forEach((p, i) => {
    if (!m.has(p.name)) m.set(p.name, i);
    if (!ALL_PARAMS.has(p.name)) ALL_PARAMS.set(p.name, p.type);
  });
  PARAM_INDEX[e.code] = m;
  EVENT_NAMES.add(e.name);
}

/** Index of the parameter named `name` in the current event, or -1 (also when absent on disk). */
export function paramIndex(ev: EventView, name: string): number {
  const m = ev.type < PARAM_INDEX.length ? PARAM_INDEX[ev.type] : null;
  if (m === null) return -1;
  const i = m.get(name);
  return i === undefined || i >= ev.paramCount ? -1 : i;
}

/** PT type code of param i of the current event */
export function paramType(ev: EventView, i: number): PT {
  return ev.info !== null ? ev.info.params[i].type : PT.NONE;
}

/** Reads param i as a typed value by its PT type (numbers, strings, or Buffers). */
export function readParam(ev: EventView, i: number): FieldValue {
  return readParamAs(ev, i, paramType(ev, i));
}

/** Reads param i's bytes as PT type `pt` (64-bit integers as bigint when beyond 2^53). */
export function readParamAs(ev: EventView, i: number, pt: PT): FieldValue {
  switch (pt) {
    case PT.INT64:
    case PT.ERRNO:
    case PT.FD:
    case PT.PID: {
      if (ev.paramLen(i) < 8) return ev.i64(i);
      const v = ev.i64(i);
      return Number.isSafeInteger(v) ? v : ev.bigI64(i);
    }
    case PT.UINT64:
    case PT.RELTIME:
    case PT.ABSTIME: {
      if (ev.paramLen(i) < 8) return ev.u64(i);
      const v = ev.u64(i);
      return Number.isSafeInteger(v) ? v : ev.bigU64(i);
    }
  }
  switch (pt) {
    case PT.INT8:
      return ev.i8(i);
    case PT.INT16:
      return ev.i16(i);
    case PT.INT32:
      return ev.i32(i);
    case PT.UINT8:
    case PT.L4PROTO:
    case PT.SOCKFAMILY:
    case PT.FLAGS8:
    case PT.ENUMFLAGS8:
      return ev.u8(i);
    case PT.UINT16:
    case PT.PORT:
    case PT.FLAGS16:
    case PT.ENUMFLAGS16:
      return ev.u16(i);
    case PT.UINT32:
    case PT.SYSCALLID:
    case PT.SIGTYPE:
    case PT.FLAGS32:
    case PT.UID:
    case PT.GID:
    case PT.MODE:
    case PT.ENUMFLAGS32:
      return ev.u32(i);
    case PT.FD32:
    case PT.PID32:
      return ev.i32(i);
    case PT.CHARBUF:
    case PT.FSPATH:
    case PT.FSRELPATH:
      return ev.str(i);
    case PT.BOOL:
      return ev.u32(i) !== 0;
    case PT.IPV4ADDR: {
      const b = ev.bytes(i);
      return b.length >= 4 ? Buffer.from(b.subarray(0, 4)) : null;
    }
    case PT.IPV6ADDR: {
      const b = ev.bytes(i);
      return b.length >= 16 ? Buffer.from(b.subarray(0, 16)) : null;
    }
    case PT.DOUBLE: {
      const b = ev.bytes(i);
      return b.length >= 8 ? b.readDoubleLE(0) : 0;
    }
    default:
      return ev.bytes(i);
  }
}

// ---------------------------------------------------------------------------------------------
// Param rendering (evt.arg / evt.args / evt.info) through the shared renderer

const renderers = new WeakMap<State, ParamRenderer>();

/** Lets the CLI configure rendering (-v, -A/-X...) for a State; default: sysdig's 80-byte normal. */
export function setParamRenderer(st: State, r: ParamRenderer): void {
  renderers.set(st, r);
}

export function paramRenderer(st: State): ParamRenderer {
  let r = renderers.get(st);
  if (r === undefined) {
    r = new ParamRenderer(st, { maxBufLen: 80, bufferFormat: 'normal' });
    renderers.set(st, r);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Threads

/** A ThreadExtras fact of t, undefined when unknown. */
export function extra<K extends keyof ThreadExtras>(t: ThreadInfo, k: K): ThreadExtras[K] | undefined {
  const x = t.extras;
  return x === null ? undefined : x[k];
}

/** The main thread of t's process (t itself for a main thread). */
export function mainThread(t: ThreadInfo): ThreadInfo | null {
  return t.isMainThread() ? t : t.getMainThread();
}

/** get_parent_thread(): the thread ptid refers to, if known (no placeholder creation). */
export function parentThread(st: State, t: ThreadInfo): ThreadInfo | null {
  if (t.ptid === -1) return null;
  const p = st.threads.get(t.ptid);
  return p === undefined ? null : p;
}

/** Ancestor n levels up from t's main thread (0 = the main thread itself). */
export function ancestor(st: State, t: ThreadInfo, n: number): ThreadInfo | null {
  let mt = mainThread(t);
  for (let j = 0; j < n && mt !== null; j++) mt = parentThread(st, mt);
  return mt;
}

/**
 * traverse_parent_state: visits t's ancestors starting at its parent, stopping when the
 * visitor returns false, at a tid of -1, or when a loop is detected (Floyd).
 */
export function traverseParents(st: State, t: ThreadInfo, visit: (p: ThreadInfo) => boolean): void {
  let slow = parentThread(st, t);
  let fast = slow !== null ? parentThread(st, slow) : null;
  while (slow !== null && slow.tid !== -1) {
    if (!visit(slow)) break;
    slow = parentThread(st, slow);
    for (let i = 0; i < 2 && fast !== null; i++) fast = parentThread(st, fast);
    if (slow !== null && slow === fast) break;
  }
}

interface CmdCache {
  comm: string;
  args: string[];
  n: number;
  cmdline: string;
  argsStr: string;
}
const cmdCache = new WeakMap<ThreadInfo, CmdCache>();

function cacheFor(t: ThreadInfo): CmdCache {
  let c = cmdCache.get(t);
  if (c === undefined || c.comm !== t.comm || c.args !== t.args || c.n !== t.args.length) {
    const a = t.args.join(' ');
    c = {
      comm: t.comm,
      args: t.args,
      n: t.args.length,
      argsStr: a,
      cmdline: t.args.length > 0 ? t.comm + ' ' + a : t.comm,
    };
    cmdCache.set(t, c);
  }
  return c;
}

/** populate_cmdline: comm followed by each arg, space-separated (cached per thread). */
export function cmdline(t: ThreadInfo): string {
  return cacheFor(t).cmdline;
}
/** proc.args: args joined with spaces (cached per thread). */
export function argsString(t: ThreadInfo): string {
  return cacheFor(t).argsStr;
}

// ---------------------------------------------------------------------------------------------
// fds

/** The fd table entry without get_fd()'s side effect on oldName. */
export function peekFd(t: ThreadInfo, fd: number): FdInfo | null {
  if (fd < 0) return null;
  const tab = t.getFdTable();
  if (tab === null) return null;
  return tab.get(fd) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Argument helpers

const INT_RE = /^[+-]?[0-9]+$/;

/** sinsp_numparser::parsed32-like strict integer parsing of a field argument. */
export function parseIntArg(field: string, arg: string): number {
  const s = arg.trim();
  if (!INT_RE.test(s)) throw new FieldError(`${arg} is not a valid number (in ${field}[${arg}])`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new FieldError(`${arg} is not a valid number (in ${field}[${arg}])`);
  return n;
}

export function isIntArg(arg: string): boolean {
  return INT_RE.test(arg);
}
