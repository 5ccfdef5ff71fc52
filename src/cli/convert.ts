/** `falco-ts convert IN OUT [-z lz4|gzip|none]`: every section and event, re-encoded. */
import { readTraceFile } from '../scap/file-source';
import { openTraceSink, SinkCompression } from '../scap/compressed-sink';
import { ScapWriter } from '../scap/writer';

export async function convert(input: string, output: string, compression: SinkCompression): Promise<number> {
  const writer = new ScapWriter(openTraceSink(output, compression));
  let exit = 0;
  try {
    const res = await readTraceFile(input, {
      onSection: (meta) => writer.writeSection(meta),
      onEvent: (ev) => {
        writer.writeEvent(ev, ev.dumpFlags);
      },
    });
    if (res.stats.unknownEvents > 0) {
      process.stderr.write(
        `falco-ts: ${input}: skipped ${res.stats.unknownEvents} events of unknown type (first: code ${res.stats.firstUnknownCode} at byte ${res.stats.firstUnknownOffset})\n`,
      );
      exit = 2;
    }
  } finally {
    // Whatever was valid before a fault is kept: close() flushes it.
    writer.close();
  }
  return exit;
}
