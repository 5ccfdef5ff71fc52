/**
 * The alert outputs of a falco run: the configuration's channels (stdout, file, program,
 * http, syslog) through the output manager, or undefined for the commands' own stdout path.
 */
import * as fs from 'node:fs';
import type { OutputManager } from '../../output/manager';
import { FalcoError } from './errors';

/** a CA file of http_output (ca_cert, ca_bundle): PEM text */
function readCa(f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch (e) {
    throw new FalcoError(`http_output: cannot read CA file ${f}: ${(e as Error).message}`);
  }
}

export interface OutputsSetup {
  setup: string;
  create: () => OutputManager;
}

export function alertOutputsFor(o: Record<string, unknown>, json: boolean): OutputsSetup | undefined {
  const specs = o.output as string[] | undefined;
  if (specs === undefined) return undefined;
  const M = (require('../../output/manager') as typeof import('../../output/manager')).OutputManager;
  const oo = o.outputOptions as { queueCapacity: number; immediate: boolean; httpCaFiles: string[] } | undefined;
  const ca = oo?.httpCaFiles.map((f) => readCa(f));
  const mo = {
    json,
    color: false,
    queueCapacity: oo?.queueCapacity,
    immediate: oo?.immediate,
    http: ca !== undefined && ca.length > 0 ? { ca: ca.join('\n') } : undefined,
  };
  return { setup: M.setupKey(specs, mo), create: () => M.create(specs, mo) };
}
