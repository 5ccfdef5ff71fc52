/** `falco-ts replay FILE... [filter]`: read traces, rebuild state, print events. */
import * as fs from 'node:fs';
import { readTraceFile } from '../capture/file-source';
import { State } from '../state/state';
import '../state/parsers';
import { ParamRenderer, BufferFormat } from '../format/evtinfo';
import { DefaultLineFormatter } from '../format/line';
import { Out } from '../util/out';
import { InputError } from '../util/errors';
import { EVENTS } from '../event/generated/events';

export interface ReplayOptions {
  files: string[];
  filter: string;
  numEvents?: number;
  verbose?: boolean;
  debug?: boolean;
  bufferFormat: BufferFormat;
  quiet?: boolean;
}

const INTERNAL = new Uint8Array(EVENTS.length);
for (const e of EVENTS) if (e && e.category.includes('EC_INTERNAL')) INTERNAL[e.code] = 1;

export async function replay(opts: ReplayOptions): Promise<number> {
  const out = new Out(1);
  const state = new State();
  const params = new ParamRenderer(state, { maxBufLen: opts.verbose ? 0 : 80, bufferFormat: opts.bufferFormat });
  const line = new DefaultLineFormatter(state, params);
  let seen = 0;
  const limit = opts.numEvents ?? Infinity;
  let exit = 0;
  for (const file of opts.files) {
    let res;
    try {
      res = await readTraceFile(file, {
        onSection: (meta) => state.loadSection(meta),
        onEvent: (ev) => {
          if (seen >= limit) return false;
          seen++;
          state.processEvent(ev);
          if (state.cur.hidden) return;
          if (!opts.debug && INTERNAL[ev.type]) return;
          if (opts.quiet || out.closed) return;
          out.line(line.format(ev));
          if (seen >= limit) return false;
        },
      });
    } catch (e) {
      out.flush();
      throw e;
    }
    if (res.stats.unknownEvents > 0) {
      out.flush();
      process.stderr.write(`falco-ts: ${file}: skipped ${res.stats.unknownEvents} events of unknown type (first: code ${res.stats.firstUnknownCode} at byte ${res.stats.firstUnknownOffset})\n`);
      exit = 2;
    }
    if (seen >= limit) break;
  }
  out.flush();
  return exit;
}

/** Splits positional args into leading existing files and the filter words after them. */
export function splitFilesAndFilter(args: string[]): { files: string[]; filter: string } {
  let i = 0;
  while (i < args.length && (i === 0 || isFile(args[i]))) i++;
  return { files: args.slice(0, i), filter: args.slice(i).join(' ') };
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

export { InputError };
