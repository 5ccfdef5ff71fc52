/** The probe options every live command starts from: snaplen, event types, our own pid ignored. */
import * as path from 'node:path';
import type { Driver, ProbeOptions } from './native-api';
import type { Node } from '../filter/ast';
import { RW_ON_SOCKET, STATE_KEPT, kernelNamesOf, pushdownOf } from '../filter/pushdown';

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

/**
 * The kernel name filter for a filter (src/filter/pushdown): the names its kernel part
 * requires and the event codes the state needs regardless; {} when the kernel part requires
 * no name (or FALCO_TS_NO_PUSHDOWN=1, for comparisons).
 */
export function pushdownOptions(ast: Node | null): Pick<ProbeOptions, 'kernelNames' | 'keepTypes' | 'socketTypes'> {
  if (ast === null || process.env.FALCO_TS_NO_PUSHDOWN === '1') return {};
  const names = kernelNamesOf(pushdownOf([ast]));
  if (names === null) return {};
  const codes = (t: Uint8Array): number[] => [...t.keys()].filter((c) => t[c] === 1);
  return { kernelNames: names, keepTypes: codes(STATE_KEPT), socketTypes: codes(RW_ON_SOCKET) };
}
