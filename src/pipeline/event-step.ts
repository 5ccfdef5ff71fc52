/**
 * The one per-event step, for every command: observe → state → hidden → gate → filter →
 * accepted (judge, print or write) or rejected. Sources (trace files, the live probe) feed
 * it; commands assemble it from stages, each with one contract. A step holds all it needs
 * (no module-global state), so a step can run on a thread of its own.
 */
import type { SectionMetadata } from '../scap/metadata';
import type { State } from '../state/state';
import '../state/parsers';
import type { EventView } from '../event/view';
import { CONTAINER_JSON_EVENT } from '../event/categories';
import { observeEvent } from '../filter/fields/registry';

/** A filter as the step calls it: a compiled filter is one (no closure around it). */
export interface EventMatcher {
  match(ev: EventView, state: State): boolean;
}

/** What a command plugs into the step; every stage but `accepted` is optional. */
export interface StepStages {
  /** after the state loaded a section (writers start their own) */
  section?(meta: SectionMetadata): void;
  /** first, for every event read, before the state sees it; false stops (duration, counters) */
  arrived?(ev: EventView): boolean;
  /** every event after the state update, hidden ones included (container lookups, alert windows) */
  updated?(ev: EventView): void;
  /** an event the state hides (leading container events, suppressed threads): nothing else sees it */
  hidden?(ev: EventView): void;
  /** before the filter; false stops the run (the drop monitor's exit action) */
  gate?(ev: EventView): boolean;
  /** selects the events `accepted` sees; absent = all */
  filter?: EventMatcher;
  /** an event the filter rejected */
  rejected?(ev: EventView): void;
  /** an event the filter passed: judge, print or write it; false stops the run */
  accepted(ev: EventView): boolean | void;
}

export class EventStep {
  /** set once a stage stopped the run; every later event is refused */
  stopped = false;
  /**
   * events the step was given (a stop refuses the rest): counted here, not by an `arrived`
   * stage, as one closure call per event costs a replay ~4% of its CPU
   */
  events = 0;
  /** evt.reltime counts from the first event that is not container metadata: looked for until seen */
  private observing = true;

  constructor(
    readonly state: State,
    private readonly stages: StepStages,
  ) {}

  /** A trace section (or the live /proc snapshot): the state starts from it. */
  readonly section = (meta: SectionMetadata): void => {
    this.state.loadSection(meta);
    this.stages.section?.(meta);
  };

  /** One event; false when the run is to stop (sources stop reading). */
  readonly event = (ev: EventView): boolean | void => {
    if (this.stopped) return false;
    this.events++;
    const s = this.stages;
    if (s.arrived !== undefined && !s.arrived(ev)) return this.stop();
    const state = this.state;
    if (this.observing) {
      observeEvent(state, ev);
      if (CONTAINER_JSON_EVENT[ev.type] === 0) this.observing = false;
    }
    state.processEvent(ev);
    if (s.updated !== undefined) s.updated(ev);
    if (state.cur.hidden) {
      if (s.hidden !== undefined) s.hidden(ev);
      return;
    }
    if (s.gate !== undefined && !s.gate(ev)) return this.stop();
    if (s.filter !== undefined && !s.filter.match(ev, state)) {
      if (s.rejected !== undefined) s.rejected(ev);
      return;
    }
    if (s.accepted(ev) === false) return this.stop();
  };

  private stop(): false {
    this.stopped = true;
    return false;
  }
}
