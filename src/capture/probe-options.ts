/** The probe options every live command starts from: snaplen, event types, our own pid ignored. */
import * as path from 'node:path';
import type { Driver, ProbeOptions } from './native-api';

export function probeOptions(
  o: { snaplen?: number; driver?: Driver },
  eventTypes: number[] | null,
): ProbeOptions & { driver?: Driver } {
  return {
    driver: o.driver,
    snaplen: o.snaplen ?? 80,
    eventTypes,
    ignorePids: [process.pid],
    // (node:os is required here, not at load: every command loads this module)
    verifierLogPath: path.join(
      (require('node:os') as typeof import('node:os')).tmpdir(),
      `falco-ts-verifier-${process.pid}.log`,
    ),
  };
}
