/**
 * `falco-ts sysdig [sysdig's options]`, and falco-ts run as `sysdig`: sysdig 0.29.3's command
 * line over the one engine. It reads the line the getopt way (./options.ts), then runs what
 * the other commands run: `replay` for -r (each file in turn, as sysdig opens each anew), live
 * mode without -r, `capture` for a live -w. What is sysdig's own is kept here: its summary
 * table (-S), its progress line (-P), its field list layout (-l), its error lines and status 1.
 */
import * as fs from 'node:fs';
import { parseSysdigArgs, type SysdigArgs } from './options';
import { SYSDIG_USAGE } from './usage';
import { EventSummary } from './summary';
import { SysdigProgress } from './progress';
import { sysdigFieldList, sysdigFieldMarkdown } from './list-fields';
import { sysdigFilterError } from './filter-error';
import { eventLines } from '../list';
import { bufferFormat, type EventOutputOptions } from '../event-output';
import { replay } from '../replay';
import { live } from '../live';
import { capture } from '../capture';
import { unescapeSysdigFormat } from '../../format/template';
import { compileFilter } from '../../filter';
import { FilterError } from '../../filter/errors';
import { fieldRegistry } from '../../filter/fields/registry';
import { InputError } from '../../util/errors';

const EXIT_FAILURE = 1;

export async function sysdig(argv: readonly string[], prog = 'sysdig'): Promise<number> {
  const req = parseSysdigArgs(argv, prog, process.stdout.isTTY === true);
  if (req.kind === 'exit') {
    if (req.list === 'usage') process.stdout.write(SYSDIG_USAGE);
    if (req.list === 'events') process.stdout.write(eventLines().join('\n') + '\n');
    if (req.stdout !== undefined) process.stdout.write(req.stdout);
    if (req.stderr !== undefined) process.stderr.write(req.stderr);
    if (req.thrown?.progress) new SysdigProgress().failed();
    if (req.thrown?.summary) process.stdout.write(new EventSummary().render());
    return req.code;
  }
  const a = req.args;
  if (a.listFields !== false) {
    process.stdout.write(a.listFields === 'markdown' ? sysdigFieldMarkdown() : sysdigFieldList(a.verbose));
    return 0;
  }
  const summary = a.summary ? new EventSummary() : null;
  const progress = a.progress ? new SysdigProgress() : null;
  try {
    return await runCapture(a, summary, progress);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(e.message + '\n');
    progress?.failed();
    return EXIT_FAILURE;
  } finally {
    // sysdig prints the table on every way out, failures included
    if (summary !== null) process.stdout.write(summary.render());
  }
}

/** sysdig's line for a filter that does not compile, or null */
function filterProblem(filter: string): string | null {
  if (filter.trim() === '') return null;
  const bytes = Buffer.from(filter, 'utf8').toString('latin1');
  try {
    compileFilter(bytes, fieldRegistry, { bytes: true });
    return null;
  } catch (e) {
    if (e instanceof FilterError) return sysdigFilterError(e, bytes);
    throw e;
  }
}

function outputOptions(a: SysdigArgs): EventOutputOptions {
  const f = a.bufferFormat;
  return {
    numEvents: a.numEvents === Infinity ? undefined : a.numEvents,
    durationSec: a.durationSec,
    verbose: a.verbose,
    debug: a.debug,
    bufferFormat: bufferFormat({
      json: a.json,
      printAscii: f === 'ascii',
      printBase64: f === 'base64',
      printHex: f === 'hex',
      printHexAscii: f === 'hexascii',
    }),
    quiet: a.quiet,
    // -p arrives as UTF-8 argv; templates work on byte strings, as the event data does
    format: a.format !== undefined ? unescapeSysdigFormat(Buffer.from(a.format, 'utf8').toString('latin1')) : undefined,
    json: a.json,
    timeFormat: a.timeType,
  };
}

async function runCapture(
  a: SysdigArgs,
  summary: EventSummary | null,
  progress: SysdigProgress | null,
): Promise<number> {
  const bad = filterProblem(a.filter);
  if (bad !== null) throw new InputError(bad);
  const rotation = a.rolloverMB ?? a.rotateSec ?? a.fileLimit ?? a.eventLimit;
  if (a.files.length === 0) return runLive(a, rotation !== undefined);
  if (rotation !== undefined) throw new InputError('-C, -G, -W and -e: supported by falco-ts in live captures only');
  let code = 0;
  for (const file of a.files) {
    try {
      fs.closeSync(fs.openSync(file, 'r'));
    } catch {
      throw new InputError(`can't open file ${file}`);
    }
    code = await replay({
      files: [file],
      filter: a.filter,
      ...outputOptions(a),
      write: a.write,
      compression: a.compress ? 'gzip' : 'none',
      sysdigFilterOrder: !a.displayFilter,
      displayFilter: a.displayFilter,
      color: process.stdout.isTTY === true,
      progress: false,
      summary: false,
      unbuffered: a.unbuffered,
      seen: summary !== null ? (ev) => summary.count(ev) : undefined,
      traceProgress: progress !== null ? () => progress.hook() : undefined,
    });
    progress?.end();
    if (code !== 0) return code;
  }
  return code;
}

async function runLive(a: SysdigArgs, rotation: boolean): Promise<number> {
  if (a.progress) {
    // (sysdig leaves here without its end-of-file progress line)
    process.stderr.write('the -P flag cannot be used with live captures.\n');
    return EXIT_FAILURE;
  }
  if (a.summary) throw new InputError('-S: supported by falco-ts when reading files (-r) only');
  if (a.write !== undefined) {
    return capture({
      write: a.write,
      compression: a.compress ? 'gzip' : 'none',
      filter: a.filter,
      numEvents: a.numEvents === Infinity ? undefined : a.numEvents,
      durationSec: a.durationSec,
      snaplen: a.snaplen > 0 ? a.snaplen : undefined,
      rolloverMB: a.rolloverMB,
      rotateSec: a.rotateSec,
      fileLimit: a.fileLimit,
      eventLimit: a.eventLimit,
      quiet: true,
    });
  }
  if (rotation) throw new InputError('-C, -G, -W and -e need -w');
  return live({
    filter: a.filter,
    ...outputOptions(a),
    snaplen: a.snaplen > 0 ? a.snaplen : undefined,
    noSummary: true,
  });
}
