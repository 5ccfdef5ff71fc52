/**
 * Value sources of the compiled filter: what a check's left- or right-hand side extracts per
 * event (a field, a transformer over fields, a constant), with the type facts the checks and
 * transformers are chosen by.
 */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import { FieldError, type BoundField, type FieldRegistry, type FieldType, type FieldValue } from '../field-api';

export type EvalFn = (ev: EventView, st: State) => boolean;

/** Throws the compile error at a byte offset (in the context of the current macro). */
export type Fail = (msg: string, pos: number) => never;

export type Mode = 'scalar' | 'any' | 'endpoints' | 'around';
export type Getter = (ev: EventView, st: State) => FieldValue;

/** A compiled left/right-hand expression. */
export interface Source {
  /** field name (libsinsp m_name) for messages */
  readonly name: string;
  readonly type: FieldType;
  /** upper-case ppm type name (CHARBUF, INT64, …) */
  readonly ptype: string;
  readonly isList: boolean;
  readonly mode: Mode;
  readonly noRhs: boolean;
  readonly noTransformer: boolean;
  /** the plain field name when the source is an untransformed field */
  readonly plainField: string | null;
  /** scalar or list value; for 'around' the distance */
  readonly get: Getter;
  /** candidates for 'any' / 'endpoints' */
  readonly values: ((ev: EventView, st: State) => FieldValue[] | null) | null;
}

const DEFAULT_PTYPE: Record<FieldType, string> = {
  string: 'CHARBUF',
  int: 'INT64',
  uint: 'UINT64',
  bool: 'BOOL',
  ipaddr: 'IPADDR',
  ipnet: 'IPNET',
  port: 'PORT',
  bytebuf: 'BYTEBUF',
  reltime: 'RELTIME',
  abstime: 'ABSTIME',
  double: 'DOUBLE',
};

export const normPtype = (p: string | undefined, t: FieldType): string =>
  p ? p.toUpperCase().replace(/^PT_/, '') : DEFAULT_PTYPE[t];

export function constSource(value: FieldValue, isList: boolean): Source {
  return {
    name: 'INTERNAL',
    type: 'string',
    ptype: 'CHARBUF',
    isList,
    mode: 'scalar',
    noRhs: false,
    noTransformer: false,
    plainField: null,
    get: () => value,
    values: null,
  };
}

export const toStr = (v: string | number | bigint | boolean | Buffer): string =>
  typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);

/** The source of a field of the registry (`name[arg]`). */
export function fieldSource(
  registry: FieldRegistry,
  name: string,
  arg: string | null,
  pos: number,
  fail: Fail,
): Source {
  let b: BoundField;
  try {
    b = registry.bind(name, arg);
  } catch (e) {
    if (e instanceof FieldError || e instanceof Error) fail(e.message, pos);
    throw e;
  }
  const info = b.info;
  const mode: Mode = b.cmp ?? 'scalar';
  let values: Source['values'] = null;
  if (mode === 'any' || mode === 'endpoints') {
    if (b.values) values = b.values.bind(b);
    else
      values = (ev, st) => {
        const v = b.extract(ev, st);
        return v === null ? null : Array.isArray(v) ? v : [v];
      };
  }
  return {
    name: info.name,
    type: info.type,
    ptype: normPtype(info.ptype, info.type),
    isList: info.isList,
    mode,
    noRhs: info.noRhs === true,
    noTransformer: info.noTransformer === true || mode !== 'scalar',
    plainField: info.name,
    get: (ev, st) => b.extract(ev, st),
    values,
  };
}
