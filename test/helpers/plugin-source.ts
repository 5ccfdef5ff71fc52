/** Reading a plugin's synchronous source instance to its end, for the plugin tests. */
import type { SourceBatch, SourcedEvent, SourceInstance } from '../../src/plugins/api';

export function drainSource(inst: SourceInstance): SourcedEvent[] {
  const out: SourcedEvent[] = [];
  for (;;) {
    const b = inst.next() as SourceBatch;
    if (b.kind !== 'timeout') out.push(...(b.events ?? []));
    if (b.kind === 'eof') return out;
  }
}
