/**
 * Current Falco (libs >= 0.22) judges only exit events, and its capture reader has merged the
 * enter event's parameters into each exit event (ptrace's `request`, socket's `domain`,
 * setuid's `uid`, ...). Our event table is the older one (libs e5c53d64) where those
 * parameters live only on the enter event, so a rule reading `evt.arg.request` on a ptrace
 * exit would see nothing.
 *
 * EnterMergeRegistry wraps the field registry: `evt.arg.NAME` / `evt.rawarg.NAME` first read
 * the exit event; when it has no such parameter they read the thread's preceding enter event
 * of the same syscall. Enter events are copied (per thread) only for the event types where a
 * bound name is missing on the exit but present on the enter — computed once after loading.
 * In legacy both-directions mode the wrapper is disabled (rules then read enter events
 * themselves, as Falco 0.32 did).
 */
import { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import type { State } from '../state/state';
import type { BoundField, FieldInfo, FieldRegistry, FieldValue } from '../filter/field-api';

interface Stored {
  type: number;
  buf: Buffer;
  hdr: number;
  nparams: number;
  v1: boolean;
  tsHi: number;
  tsLo: number;
  cpu: number;
}

export class EnterMergeRegistry implements FieldRegistry {
  /** parameter names bound through evt.arg / evt.rawarg */
  readonly names = new Set<string>();
  /** enter event codes to keep (1 = keep) */
  private keep = new Uint8Array(EVENTS.length);
  private readonly stored = new Map<number, Stored>();
  private readonly view = new EventView();
  private stamp = 0;

  constructor(
    readonly base: FieldRegistry,
    readonly enabled: boolean,
  ) {}

  bind(name: string, arg: string | null): BoundField {
    const b = this.base.bind(name, arg);
    // bound as evt.arg[name] or in the dotted form evt.arg.name (then the name is b.arg)
    const pname = b.arg ?? arg;
    if (
      !this.enabled ||
      (b.info.name !== 'evt.arg' && b.info.name !== 'evt.rawarg') ||
      pname === null ||
      /^\d+$/.test(pname)
    )
      return b;
    this.names.add(pname);
    const wrapped: BoundField = {
      info: b.info,
      arg: b.arg,
      cmp: b.cmp,
      extract: (ev: EventView, st: State): FieldValue => {
        const v = b.extract(ev, st);
        if (v !== null) return v;
        const en = this.enterOf(ev);
        return en === null ? null : b.extract(en, st);
      },
      format: (ev: EventView, st: State): string | null => {
        const v = b.format(ev, st);
        if (v !== null) return v;
        const en = this.enterOf(ev);
        return en === null ? null : b.format(en, st);
      },
    };
    return wrapped;
  }

  matchPrefix(text: string, pos: number): number {
    return this.base.matchPrefix(text, pos);
  }
  list(): readonly FieldInfo[] {
    return this.base.list();
  }

  /** After loading: which enter events must be kept (names missing on the exit, present on the enter). */
  computeKeep(): void {
    this.keep = new Uint8Array(EVENTS.length);
    if (!this.enabled || this.names.size === 0) return;
    for (let c = 0; c + 1 < EVENTS.length; c += 2) {
      const en = EVENTS[c];
      const ex = EVENTS[c + 1];
      if (!en || !ex || en.dir !== 0 || ex.dir !== 1) continue;
      for (const n of this.names) {
        if (en.params.some((p) => p.name === n) && !ex.params.some((p) => p.name === n)) {
          this.keep[c] = 1;
          break;
        }
      }
    }
  }

  get active(): boolean {
    return this.enabled && this.keep.some((x) => x === 1);
  }

  /** Called for every enter event (before it is dropped): keeps a copy when needed. */
  observeEnter(ev: EventView): void {
    if (this.keep[ev.type] !== 1) return;
    const hdr = ev.lensOff - ev.off;
    const raw = ev.buf.subarray(ev.off, ev.off + ev.len);
    let s = this.stored.get(ev.tid);
    if (s === undefined || s.buf.length < raw.length) {
      s = {
        type: 0,
        buf: Buffer.allocUnsafe(Math.max(raw.length, 256)),
        hdr: 0,
        nparams: 0,
        v1: false,
        tsHi: 0,
        tsLo: 0,
        cpu: 0,
      };
      this.stored.set(ev.tid, s);
    }
    raw.copy(s.buf, 0);
    s.type = ev.type;
    s.hdr = hdr;
    s.nparams = ev.nparams;
    s.v1 = ev.v1;
    s.tsHi = ev.tsHi;
    s.tsLo = ev.tsLo;
    s.cpu = ev.cpu;
    this.lens.set(ev.tid, raw.length);
  }
  private readonly lens = new Map<number, number>();

  /** A view on the stored enter event of this exit's syscall on the same thread, or null. */
  private enterOf(ev: EventView): EventView | null {
    if ((ev.type & 1) === 0) return null;
    const s = this.stored.get(ev.tid);
    if (s === undefined || s.type !== ev.type - 1) return null;
    const v = this.view;
    v.set(s.buf, 0, s.hdr, this.lens.get(ev.tid) ?? 0, s.type, s.nparams, s.v1);
    v.tid = ev.tid;
    v.tsHi = s.tsHi;
    v.tsLo = s.tsLo;
    v.cpu = s.cpu;
    v.num = -1000 - this.stamp++;
    return v;
  }
}
