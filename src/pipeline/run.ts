/**
 * Runs a rules session over trace files (the replay pipeline without event printing): for
 * tests, benchmarks and `falco-ts rules` tooling. The replay command wires the same session
 * into its own loop.
 */
import { readTraceFile } from '../scap/file-source';
import { State } from '../state/state';
import '../state/parsers';
import { ParamRenderer } from '../params/evtinfo';
import { setParamRenderer, observeEvent } from '../filter/fields/registry';
import type { EventView } from '../event/view';
import type { RulesSession } from '../rules/index';
import type { RuleAlert } from '../rules/alerts';

/**
 * `before`, if given, sees each event the rules are about to judge (after the state) and can
 * stop the run by returning false (the drop monitor's exit action); returns false if stopped.
 */
export async function runSessionOnTraces(
  session: RulesSession,
  files: string[],
  emit: (alert: RuleAlert, ev: EventView, state: State) => void,
  before?: (ev: EventView) => boolean,
): Promise<boolean> {
  const state = new State();
  setParamRenderer(state, new ParamRenderer(state, { maxBufLen: 80, bufferFormat: 'normal' }));
  let stopped = false;
  for (const file of files) {
    await readTraceFile(file, {
      onSection: (meta) => state.loadSection(meta),
      onEvent: (ev: EventView) => {
        observeEvent(state, ev);
        state.processEvent(ev);
        if (state.cur.hidden) return;
        if (before !== undefined && !before(ev)) {
          stopped = true;
          return false;
        }
        session.process(ev, state, (a) => emit(a, ev, state));
      },
    });
    if (stopped) break;
  }
  return !stopped;
}
