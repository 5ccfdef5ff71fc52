/**
 * The alert outputs of a falco run: the configuration's channels (stdout, file, program,
 * http, syslog) through the output manager, or undefined for the commands' own stdout path.
 */
import type { OutputManager } from '../../output/manager';

export interface OutputsSetup {
  setup: string;
  create: () => OutputManager;
}

export function alertOutputsFor(o: Record<string, unknown>, json: boolean): OutputsSetup | undefined {
  const specs = o.output as string[] | undefined;
  if (specs === undefined) return undefined;
  const M = (require('../../output/manager') as typeof import('../../output/manager')).OutputManager;
  const mo = { json, color: false };
  return { setup: M.setupKey(specs, mo), create: () => M.create(specs, mo) };
}
