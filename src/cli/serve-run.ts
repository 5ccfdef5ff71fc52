/**
 * Starts a run's web server and metrics (src/webserver/) once its source is open, wired the
 * same way for replay and live: the counters that already exist, metrics alerts through the
 * run's outputs (or its stdout line when it has none).
 */
import type { FalcoAlert } from '../alert/alert';
import type { OutputManager } from '../output/manager';
import type { RulesSession } from '../rules';
import type { State } from '../state/state';
import type { Out } from '../util/out';
import type { RunCounters } from '../webserver/run-counters';
import type { ServeConfig, Serving } from '../webserver/serve';
import { lazy } from '../util/lazy';
import { packageVersion } from './version';

const alertModule = lazy(() => require('../alert/render') as typeof import('../alert/render'));
const serveModule = lazy(() => require('../webserver/serve') as typeof import('../webserver/serve'));

export interface ServeRun {
  engineName: string;
  eventsProcessed: RunCounters['eventsProcessed'];
  kernel?: RunCounters['kernel'];
  state: State;
  rulesSession: RulesSession | null;
  rulesFiles: readonly string[];
  outputs?: OutputManager;
  /** without outputs, alerts print here (null: the run prints nothing, -q) */
  out: Out | null;
  /** -j (json_output comes from the rules session) */
  json: boolean;
}

/** null when the configuration asks for neither the server nor metrics (or there is none) */
export async function startServing(serve: ServeConfig | undefined, r: ServeRun): Promise<Serving | null> {
  if (serve === undefined) return null;
  const json = r.json || r.rulesSession?.config.jsonOutput === true;
  const out = r.out;
  const print = (a: FalcoAlert) => {
    if (out !== null && !out.closed) out.line(alertModule().alertLineBytes(a, json));
  };
  return serveModule().Serving.start(
    serve,
    {
      engineName: r.engineName,
      eventsProcessed: r.eventsProcessed,
      kernel: r.kernel,
      threads: () => r.state.threads.size,
      rules: r.rulesSession === null ? undefined : r.rulesSession.engine,
      outputs: r.outputs,
      rulesFiles: r.rulesFiles,
    },
    {
      emit: (a) => (r.outputs !== undefined ? r.outputs.emit(a) : print(a)),
      json,
      version: packageVersion(),
      log: (l) => process.stderr.write(l),
    },
  );
}

/** a promise that lets the event loop run (the server answer) between chunks of a replay */
export const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
