/**
 * The field catalog: every field class registered in one table, bound by name (+ optional
 * argument, bracket or dotted form), matched by longest prefix for output templates.
 */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import { BoundField, FieldError, FieldInfo, FieldRegistry, FieldValue } from '../field-api';
import { Extractor, FieldSpec, ptypeToFieldType, renderValue } from './common';
import { PF } from '../../event/types';
import { EVT_FIELDS } from './evt';
import { PROC_FIELDS } from './proc';
import { THREAD_FIELDS } from './thread';
import { FD_FIELDS } from './fd';
import { USER_FIELDS } from './user';
import { GROUP_FIELDS } from './group';
import { CONTAINER_FIELDS } from './container';
import { FSPATH_FIELDS } from './fspath';
import { OTHER_FIELDS } from './other';

function infoOf(s: FieldSpec, ptype = s.ptype): FieldInfo {
  return {
    name: s.name,
    type: ptypeToFieldType(ptype),
    ptype,
    desc: s.desc,
    arg: s.arg ?? 'none',
    filterOnly: s.filterOnly === true,
    isList: s.isList === true,
    noRhs: s.noRhs === true,
    cls: s.cls,
  };
}

class Bound implements BoundField {
  readonly extract: (ev: EventView, st: State) => FieldValue;
  readonly cmp: 'scalar' | 'any' | 'endpoints' | 'around';
  readonly values?: (ev: EventView, st: State) => FieldValue[] | null;
  private readonly fmt: ((ev: EventView, st: State) => string | null) | undefined;
  readonly pf: PF;

  constructor(
    readonly info: FieldInfo,
    readonly arg: string | null,
    ex: Extractor,
    pf: PF,
  ) {
    this.extract = ex.extract;
    this.cmp = ex.cmp ?? 'scalar';
    if (ex.values) this.values = ex.values;
    this.fmt = ex.format;
    this.pf = pf;
  }

  format(ev: EventView, st: State): string | null {
    if (this.info.filterOnly) return null;
    if (this.fmt !== undefined) return this.fmt(ev, st);
    return renderValue(this.extract(ev, st), this.info.ptype, this.pf);
  }

  /** format(ev, st) given v = extract(ev, st) already computed (saves a second extraction). */
  formatExtracted(v: FieldValue, ev: EventView, st: State): string | null {
    if (this.info.filterOnly) return null;
    if (this.fmt !== undefined) return this.fmt(ev, st);
    return renderValue(v, this.info.ptype, this.pf);
  }
}

const NAME_CHAR = /[A-Za-z0-9_.]/;

export class FieldCatalog implements FieldRegistry {
  private readonly specs = new Map<string, FieldSpec>();
  private readonly infos = new Map<string, FieldInfo>();
  private readonly dotted: FieldSpec[] = [];
  private readonly catalog: FieldInfo[] = [];
  private maxLen = 0;

  constructor(classes: FieldSpec[][]) {
    for (const cls of classes) {
      for (const s of cls) {
        if (this.specs.has(s.name)) throw new Error(`duplicate field ${s.name}`);
        this.specs.set(s.name, s);
        const i = infoOf(s);
        this.infos.set(s.name, i);
        if (!s.hidden) this.catalog.push(i);
        if (s.dotted) this.dotted.push(s);
        if (s.name.length > this.maxLen) this.maxLen = s.name.length;
      }
    }
    this.dotted.sort((a, b) => b.name.length - a.name.length);
  }

  /** The spec for an exact field name (no argument), if registered. */
  spec(name: string): FieldSpec | undefined {
    return this.specs.get(name);
  }

  bind(name: string, arg: string | null): BoundField {
    const s = this.specs.get(name);
    if (s !== undefined) return this.make(s, arg, name);
    // dotted argument forms: evt.arg.NAME, evt.type.is.open, thread.cgroup.cpu, k8s.pod.label.x, ...
    for (const d of this.dotted) {
      if (name.length > d.name.length + 1 && name.startsWith(d.name) && name.charCodeAt(d.name.length) === 0x2e) {
        const rest = name.slice(d.name.length + 1);
        if (arg !== null)
          throw new FieldError(`field '${d.name}' has both a dotted and a bracket argument: ${name}[${arg}]`);
        const n = (d.dotted as (r: string) => number)(rest);
        if (n !== rest.length && d.name !== 'evt.arg' && d.name !== 'evt.rawarg') {
          throw new FieldError(`filter_check called with nonexistent field ${name}`);
        }
        return this.make(d, rest, name);
      }
    }
    throw new FieldError(`filter_check called with nonexistent field ${arg === null ? name : `${name}[${arg}]`}`);
  }

  private make(s: FieldSpec, arg: string | null, written: string): BoundField {
    const kind = s.arg ?? 'none';
    if (kind === 'none' && arg !== null)
      throw new FieldError(`field '${s.name}' does not accept an argument (${written}[${arg}])`);
    if (kind === 'required' && arg === null) throw new FieldError(`field '${s.name}' requires an argument`);
    if (arg !== null && /\s/.test(arg)) throw new FieldError(`invalid argument '${arg}' for field '${s.name}'`);
    const ex = s.make(arg);
    const info =
      ex.ptype !== undefined && ex.ptype !== s.ptype ? infoOf(s, ex.ptype) : (this.infos.get(s.name) as FieldInfo);
    return new Bound(info, arg, ex, s.pf);
  }

  matchPrefix(text: string, pos: number): number {
    let end = pos;
    while (end < text.length && end - pos < this.maxLen + 256 && NAME_CHAR.test(text[end])) end++;
    let best = 0;
    for (let e = Math.min(end, pos + this.maxLen); e > pos; e--) {
      if (this.specs.has(text.slice(pos, e))) {
        best = e - pos;
        break;
      }
    }
    for (const d of this.dotted) {
      const L = d.name.length;
      if (L + 1 > end - pos || !text.startsWith(d.name, pos) || text.charCodeAt(pos + L) !== 0x2e) continue;
      const n = (d.dotted as (r: string) => number)(text.slice(pos + L + 1, end));
      if (n > 0 && L + 1 + n > best) best = L + 1 + n;
    }
    return best;
  }

  list(): readonly FieldInfo[] {
    return this.catalog;
  }
}

export const fieldRegistry = new FieldCatalog([
  EVT_FIELDS,
  PROC_FIELDS,
  THREAD_FIELDS,
  USER_FIELDS,
  GROUP_FIELDS,
  CONTAINER_FIELDS,
  FD_FIELDS,
  FSPATH_FIELDS,
  OTHER_FIELDS,
]);

export { setParamRenderer } from './common';
export { setFirstEventTs, setOutputTimeFormat, observeEvent } from './evt';
