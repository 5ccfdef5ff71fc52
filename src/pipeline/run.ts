/**
 * Runs a rules session over trace files (the replay pipeline without event printing): for
 * `falco-ts test`, benchmarks and tests. Same step as replay: EventStep.
 */
import { State } from '../state/state';
import { ParamRenderer } from '../params/evtinfo';
import { setParamRenderer } from '../filter/fields/registry';
import type { EventView } from '../event/view';
import type { RulesSession } from '../rules/index';
import type { RuleAlert } from '../rules/alerts';
import { EventStep } from './event-step';
import { runTraces } from './trace-source';

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
  const step = new EventStep(state, {
    gate: before,
    accepted: (ev) => {
      session.process(ev, state, (a) => emit(a, ev, state));
    },
  });
  return runTraces(step, files);
}
