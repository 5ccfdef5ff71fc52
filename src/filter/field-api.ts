/**
 * The contract between the field catalog (src/filter/fields/) and its users: the filter
 * compiler, -p output templates, Falco rule outputs and `falco-ts list fields`.
 *
 * A field is looked up once (at compile time) and bound to its argument; the bound field
 * then extracts values per event with no allocation where it can.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { PF } from '../event/types';

/**
 * Value types (libsinsp ppm_param_type names, reduced to what comparison needs).
 * - 'string': byte strings (latin1 JS strings), compared with strcmp-like semantics
 * - 'int' / 'uint': numbers (JS number; exact below 2^53) — 'uint' literals may wrap
 * - 'bool': boolean
 * - 'ipaddr' / 'ipnet': addresses (value: 4- or 16-byte Buffer) / networks
 * - 'port': number, literal may be a service name
 * - 'bytebuf': Buffer
 * - 'reltime' / 'abstime': number of ns (uint semantics)
 * - 'double': number
 */
export type FieldType =
  'string' | 'int' | 'uint' | 'bool' | 'ipaddr' | 'ipnet' | 'port' | 'bytebuf' | 'reltime' | 'abstime' | 'double';

export interface FieldInfo {
  /** e.g. "proc.name", "evt.arg", "proc.aname" */
  readonly name: string;
  readonly type: FieldType;
  /** libsinsp's ppm_param_type name, for `list fields` (e.g. "CHARBUF", "INT64") */
  readonly ptype: string;
  readonly desc: string;
  /** 'none' | 'allowed' (optional [arg]) | 'required' */
  readonly arg: 'none' | 'allowed' | 'required';
  /** usable in conditions only, not in outputs (EPF_FILTER_ONLY) */
  readonly filterOnly: boolean;
  /** multi-valued (EPF_IS_LIST): extract returns an array */
  readonly isList: boolean;
  /** cannot be used with val() (EPF_NO_RHS) */
  readonly noRhs?: boolean;
  /**
   * (Additive, used by the filter compiler.) Rejects transformers such as tolower()
   * (EPF_NO_TRANSFORMER: ancestor fields, evt.rawarg, ...). Bindings whose `cmp` is not
   * 'scalar' are treated as NO_TRANSFORMER whatever this says.
   */
  readonly noTransformer?: boolean;
  /** field class, e.g. "evt", "proc", "thread", "fd", "user", "group", "container", "fs.path" */
  readonly cls: string;
}

/** A single extracted value; arrays for list fields; null = no value. */
export type FieldValue = string | number | bigint | boolean | Buffer | null | (string | number)[];

export interface BoundField {
  readonly info: FieldInfo;
  /** The argument as written (`proc.aname[2]` → "2"), or null. */
  readonly arg: string | null;
  /** Value for comparisons (typed per info.type), or null when the event has no value. */
  extract(ev: EventView, st: State): FieldValue;
  /** Value as printed in -p templates and rule outputs (sysdig's rendering), or null → "<NA>". */
  format(ev: EventView, st: State): string | null;
  /**
   * (Additive.) How conditions must apply operators to this binding; absent/'scalar' = compare
   * extract() normally. The other modes use values() (null or [] = missing → check false):
   * - 'any': ancestor fields without an index (proc.aname, proc.apid, proc.aexe, proc.aexepath,
   *   proc.acmdline, proc.aargs, proc.aenv): true if ANY ancestor's value satisfies the operator,
   *   whatever the operator (so `!=` means "some ancestor differs").
   * - 'endpoints': fd.ip, fd.port, fd.proto, fd.net: `!=` is true if EVERY value differs
   *   (neither endpoint matches); every other operator is true if ANY value satisfies it.
   *   For fd.net (type ipnet) the values are addresses tested for membership in the literal CIDR.
   * - 'around': evt.around[T]: extract() is |ts - T| in ms (rounded up); `=` D is true when
   *   extract() <= D (libs supports only '=').
   */
  readonly cmp?: 'scalar' | 'any' | 'endpoints' | 'around';
  values?(ev: EventView, st: State): FieldValue[] | null;
  /** (Additive.) The field's print format (libsinsp m_print_format), when it has one; -j uses it. */
  readonly pf?: PF;
  /** (Additive.) format(ev, st) given v = extract(ev, st) already computed (saves a second extraction). */
  formatExtracted?(v: FieldValue, ev: EventView, st: State): string | null;
}

/** Thrown for unknown fields and bad arguments; `message` is user-facing. */
export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

export interface FieldRegistry {
  /** Binds "name" + optional argument (from `name[arg]` or a dotted suffix like evt.arg.fd). */
  bind(name: string, arg: string | null): BoundField;
  /**
   * Longest registered field name that is a prefix of text at pos (for %field in templates,
   * where punctuation may follow directly), including dotted-arg forms such as evt.arg.NAME;
   * returns the consumed length, or 0 if none.
   */
  matchPrefix(text: string, pos: number): number;
  /** The whole catalog, for `falco-ts list fields`. */
  list(): readonly FieldInfo[];
}
