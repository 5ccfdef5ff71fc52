/** Command-line entry: commander wiring only; each command lives in its own module. */
import { Command, Option } from 'commander';
import { replay, splitFilesAndFilter } from './replay';
import { InputError } from '../util/errors';
import type { BufferFormat } from '../format/evtinfo';

function bufferFormat(o: Record<string, unknown>): BufferFormat {
  const j = o.json === true;
  if (o.printHexAscii) return j ? 'jsonhexascii' : 'hexascii';
  if (o.printHex) return j ? 'jsonhex' : 'hex';
  if (o.printAscii) return j ? 'jsonascii' : 'ascii';
  if (o.printBase64) return j ? 'jsonbase64' : 'base64';
  return j ? 'json' : 'normal';
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('falco-ts')
    .description('Runtime-security sensor in the sysdig/tcpdump style: scap traces, filters, Falco rules')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();

  let code = 0;
  program
    .command('replay')
    .description('read trace files (scap: raw, gzip or LZ4) and print their events like sysdig -r')
    .argument('<file...>', 'trace files, then an optional filter expression')
    .option('-n, --numevents <n>', 'stop after N events (internal events count too, as in sysdig)', (v) => parsePositiveInt(v, '-n'))
    .option('-v, --verbose', 'do not truncate rendered buffers to 80 bytes')
    .option('-D, --debug', 'also print internal events (procinfo, ...)')
    .option('-A, --print-ascii', 'data buffers: printable characters only')
    .option('-x, --print-hex', 'data buffers in hex')
    .option('-X, --print-hex-ascii', 'data buffers in hex and ASCII')
    .option('-b, --print-base64', 'data buffers in base64')
    .option('-q, --quiet', 'print nothing (read and check the trace)')
    .addHelpText('after', `
Examples:
  falco-ts replay trace.scap
  falco-ts replay trace.scap -n 100
  TZ=UTC falco-ts replay capture.scap.gz -v`)
    .action(async (args: string[], o: Record<string, unknown>) => {
      const { files, filter } = splitFilesAndFilter(args);
      if (filter.trim() !== '') throw new InputError(`filters are not supported yet: '${filter}'`);
      code = await replay({
        files, filter, numEvents: o.numevents as number | undefined, verbose: o.verbose === true,
        debug: o.debug === true, bufferFormat: bufferFormat(o), quiet: o.quiet === true,
      });
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (ce && typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help') return 0;
      return 2;
    }
    throw e;
  }
  return code;
}

function parsePositiveInt(v: string, flag: string): number {
  if (!/^\d+$/.test(v)) throw new InputError(`${flag}: expected a non-negative integer, got '${v}'`);
  return Number(v);
}
