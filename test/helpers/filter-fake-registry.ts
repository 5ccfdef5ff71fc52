/** A small fake field registry over plain-object events, for the filter tests. */
import type { EventView } from '../../src/event/view';
import type { State } from '../../src/state/state';
import {
  FieldError,
  type BoundField,
  type FieldInfo,
  type FieldRegistry,
  type FieldType,
  type FieldValue,
} from '../../src/filter/field-api';

/** A fake event: field values by name (arrays for list fields). */
export type FakeEvent = Record<string, unknown>;

interface Spec {
  type: FieldType;
  ptype: string;
  isList?: boolean;
  noRhs?: boolean;
  noTransformer?: boolean;
  arg?: 'none' | 'allowed' | 'required';
  /** value getter; default: ev[name] (or ev[`${name}[${arg}]`] with an argument) */
  get?: (ev: FakeEvent, arg: string | null) => FieldValue;
  cmp?: 'any' | 'endpoints' | 'around';
}

const v = (ev: FakeEvent, k: string): FieldValue => (k in ev ? (ev[k] as FieldValue) : null);

export const SPECS: Record<string, Spec> = {
  'proc.name': { type: 'string', ptype: 'CHARBUF' },
  'proc.pname': { type: 'string', ptype: 'CHARBUF' },
  'proc.exepath': { type: 'string', ptype: 'CHARBUF' },
  'proc.args': { type: 'string', ptype: 'CHARBUF' },
  'proc.cmdargs': { type: 'string', ptype: 'CHARBUF', isList: true },
  'proc.pid': { type: 'int', ptype: 'INT64' },
  'proc.aname': { type: 'string', ptype: 'CHARBUF', arg: 'allowed', noRhs: true, noTransformer: true },
  'proc.env': { type: 'string', ptype: 'CHARBUF', arg: 'allowed' },
  'fd.name': { type: 'string', ptype: 'CHARBUF' },
  'fd.nameraw': { type: 'string', ptype: 'CHARBUF' },
  'fd.num': { type: 'int', ptype: 'INT64' },
  'fd.typechar': { type: 'string', ptype: 'CHARBUF' },
  'fd.types': { type: 'string', ptype: 'CHARBUF', isList: true, noRhs: true, arg: 'allowed' },
  'fd.sip': { type: 'ipaddr', ptype: 'IPADDR' },
  'fd.cip': { type: 'ipaddr', ptype: 'IPADDR' },
  'fd.cnet': { type: 'ipnet', ptype: 'IPNET', get: (ev) => v(ev, 'fd.cip') },
  'fd.net': { type: 'ipnet', ptype: 'IPNET', noRhs: true, cmp: 'endpoints' },
  'fd.ip': { type: 'ipaddr', ptype: 'IPADDR', noRhs: true, cmp: 'endpoints' },
  'fd.sport': { type: 'port', ptype: 'PORT' },
  'evt.num': { type: 'uint', ptype: 'UINT64' },
  'evt.type': { type: 'string', ptype: 'CHARBUF' },
  'syscall.type': { type: 'string', ptype: 'CHARBUF' },
  'evt.dir': { type: 'string', ptype: 'CHARBUF' },
  'evt.buffer': { type: 'bytebuf', ptype: 'BYTEBUF' },
  'evt.rawres': { type: 'int', ptype: 'INT64' },
  'evt.is_open_write': { type: 'bool', ptype: 'BOOL' },
  'evt.around': { type: 'uint', ptype: 'UINT64', arg: 'required', noRhs: true, cmp: 'around' },
  'evt.type.is': { type: 'uint', ptype: 'UINT32', arg: 'required' },
  'evt.arg': { type: 'string', ptype: 'CHARBUF', arg: 'required' },
  'evt.rawarg': { type: 'int', ptype: 'INT64', arg: 'required', noRhs: true, noTransformer: true },
  'user.uid': { type: 'uint', ptype: 'UINT32' },
  'user.name': { type: 'string', ptype: 'CHARBUF' },
  'fs.path.name': { type: 'string', ptype: 'FSPATH' },
  'container.mount.dest': { type: 'string', ptype: 'CHARBUF', arg: 'required' },
  'a.b': { type: 'string', ptype: 'CHARBUF' },
  'x.y': { type: 'int', ptype: 'INT64' },
  'evt.dummy_double': { type: 'double', ptype: 'DOUBLE' },
};

/** Names with a dotted argument: evt.arg.X, evt.rawarg.X, evt.type.is.X */
const DOTTED = ['evt.arg', 'evt.rawarg', 'evt.type.is'];

class FakeBound implements BoundField {
  readonly cmp: 'scalar' | 'any' | 'endpoints' | 'around';
  readonly values?: (ev: EventView, st: State) => FieldValue[] | null;
  constructor(
    readonly info: FieldInfo,
    readonly arg: string | null,
    private readonly spec: Spec,
  ) {
    const ancestorsNoIndex = info.name === 'proc.aname' && arg === null;
    this.cmp = ancestorsNoIndex ? 'any' : (spec.cmp ?? 'scalar');
    if (ancestorsNoIndex)
      this.values = (ev) => v(ev as unknown as FakeEvent, 'ancestors') as unknown as FieldValue[] | null;
    if (spec.cmp === 'endpoints')
      this.values = (ev) => v(ev as unknown as FakeEvent, info.name) as unknown as FieldValue[] | null;
  }
  extract(ev: EventView): FieldValue {
    const e = ev as unknown as FakeEvent;
    if (this.spec.get) return this.spec.get(e, this.arg);
    if (this.info.name === 'proc.aname' && this.arg !== null) {
      const anc = [e['proc.name'], ...((e.ancestors as string[] | undefined) ?? [])];
      const i = Number(this.arg);
      return i < anc.length && anc[i] !== undefined ? (anc[i] as string) : null;
    }
    return v(e, this.arg === null ? this.info.name : `${this.info.name}[${this.arg}]`);
  }
  format(ev: EventView): string | null {
    const x = this.extract(ev);
    return x === null ? null : String(x);
  }
}

export class FakeRegistry implements FieldRegistry {
  binds = 0;
  bind(name: string, arg: string | null): BoundField {
    let spec = SPECS[name];
    let a = arg;
    if (!spec) {
      const d = DOTTED.find((p) => name.startsWith(p + '.'));
      if (d) {
        spec = SPECS[d];
        a = name.slice(d.length + 1);
        name = d;
      }
    }
    if (!spec)
      throw new FieldError(`filter_check called with nonexistent field ${name}${arg !== null ? `[${arg}]` : ''}`);
    const argMode = spec.arg ?? 'none';
    if (argMode === 'none' && a !== null)
      throw new FieldError(`filter_check called with nonexistent field ${name}[${a}]`);
    if (argMode === 'required' && a === null) throw new FieldError(`field ${name} requires an argument`);
    if (name === 'proc.aname' && a !== null && !/^[0-9]+$/.test(a)) throw new FieldError(`invalid index ${a}`);
    this.binds++;
    const info: FieldInfo = {
      name,
      type: spec.type,
      ptype: spec.ptype,
      desc: '',
      arg: argMode,
      filterOnly: false,
      isList: spec.isList === true,
      noRhs: spec.noRhs,
      noTransformer: spec.noTransformer,
      cls: name.split('.')[0],
    };
    return new FakeBound(info, a, spec);
  }
  matchPrefix(): number {
    return 0;
  }
  list(): readonly FieldInfo[] {
    return [];
  }
}

export const fakeRegistry = new FakeRegistry();
