/**
 * The event-output options replay and live mode share (sysdig's -n, -M, -v, -d, the buffer
 * formats, -q, -p, -j, -t), and how they are read from commander's parsed options.
 */
import type { BufferFormat } from '../params/evtinfo';
import { unescapeSysdigFormat } from '../format/template';

export interface EventOutputOptions {
  numEvents?: number;
  /** -M: seconds (replay: of event time; live: wall clock) */
  durationSec?: number;
  verbose?: boolean;
  debug?: boolean;
  bufferFormat: BufferFormat;
  quiet?: boolean;
  /** -p template (sysdig escapes already processed) */
  format?: string;
  json?: boolean;
  /** -t h|a|r|d|D */
  timeFormat?: string;
}

/** -A/-x/-X/-b, combined with -j as sysdig does */
export function bufferFormat(o: Record<string, unknown>): BufferFormat {
  const j = o.json === true;
  if (o.printHexAscii) return j ? 'jsonhexascii' : 'hexascii';
  if (o.printHex) return j ? 'jsonhex' : 'hex';
  if (o.printAscii) return j ? 'jsonascii' : 'ascii';
  if (o.printBase64) return j ? 'jsonbase64' : 'base64';
  return j ? 'json' : 'normal';
}

export function eventOutputOptionsFrom(o: Record<string, unknown>): EventOutputOptions {
  return {
    numEvents: o.numevents as number | undefined,
    durationSec: o.M as number | undefined,
    verbose: o.verbose === true,
    debug: o.debug === true,
    bufferFormat: bufferFormat(o),
    quiet: o.quiet === true,
    // -p arrives as UTF-8 argv; templates work on byte strings, as the event data does
    format:
      typeof o.print === 'string' ? unescapeSysdigFormat(Buffer.from(o.print, 'utf8').toString('latin1')) : undefined,
    json: o.json === true,
    timeFormat: o.timetype as string | undefined,
  };
}
