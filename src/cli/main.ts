/** Command-line entry: commander wiring only; each command lives in its own module. */
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerDocs } from './docs/register';
import { replay, splitFilesAndFilter } from './replay';
import { registerCapture } from './capture';
import { registerLive } from './live';
import { registerStats } from './stats';
import { registerList } from './list';
import { registerRules, addRulesOptions, applyFalcoConfig } from './rules';
import { registerTest } from './test';
import { colorEnabled } from '../format/colors';
import { wantSummary } from '../ui/summary';
import type { OutputManager } from '../output/manager';
import { lazy } from '../util/lazy';

/** the Falco front-end loads only when asked for */
const falcoFrontEnd = lazy(() => require('./falco/run') as typeof import('./falco/run'));
/** alert outputs (http, syslog, programs) load only with -r */
const outputManager = lazy(() => require('../output/manager') as typeof import('../output/manager'));
import type { SinkCompression } from '../scap/compressed-sink';
import type { ServeConfig } from '../webserver/serve';
import { InputError } from '../util/errors';
import { eventOutputOptionsFrom } from './event-output';

/** sysdig's command line loads only when asked for */
const sysdigCli = lazy(() => require('./sysdig/run') as typeof import('./sysdig/run'));
/** what only one command needs loads when that command runs */
const convertCmd = lazy(() => require('./convert') as typeof import('./convert'));
const version = lazy(() => require('./version') as typeof import('./version'));

export async function main(argv: string[]): Promise<number> {
  // Falco's command line: `falco-ts falco ...`, or this program run as `falco` (a symlink)
  if (path.basename(argv[1] ?? '') === 'falco') return falcoFrontEnd().falcoMain(argv.slice(2));
  if (argv[2] === 'falco') return falcoFrontEnd().falcoMain(argv.slice(3));
  // run as `sysdig` (a symlink), or `falco-ts sysdig ...`: sysdig's own getopt command line
  if (path.basename(argv[1] ?? '') === 'sysdig') return sysdigCli().sysdig(argv.slice(2));
  if (argv[2] === 'sysdig') return sysdigCli().sysdig(argv.slice(3));
  const program = new Command();
  program
    .name('falco-ts')
    .description('Runtime-security sensor in the sysdig/tcpdump style: scap traces, filters, Falco rules')
    .option('--version', 'print the version of falco-ts and of the rules engine it implements')
    .helpCommand('help [command]', 'show the help of a command')
    .exitOverride();

  let code = 0;
  addRulesOptions(program.command('replay'))
    .description('read trace files (scap: raw, gzip or LZ4) and print their events like sysdig -r')
    .argument('[file...]', 'trace files, then an optional filter expression (none: the source plugins of -c)')
    .option(
      '-p, --print <format>',
      "output template, e.g. '%evt.num %proc.name %fd.name' (a leading * keeps lines with missing values)",
    )
    .option('-j, --json', 'one JSON object per event')
    .option('-n, --numevents <n>', 'stop after N events (internal events count too, as in sysdig)', (v) =>
      parseCount(v, '-n'),
    )
    .option('-M <secs>', 'stop after N seconds of event time', (v) => parseCount(v, '-M'))
    .option(
      '-t, --timetype <h|a|r|d|D>',
      'how %evt.outputtime is shown: h local time, a absolute, r relative, d latency, D delta',
      parseTimeType,
    )
    .option('-v, --verbose', 'do not truncate rendered buffers to 80 bytes')
    .option('-D, --debug', 'also print internal events (procinfo, ...)')
    .option('-A, --print-ascii', 'data buffers: printable characters only')
    .option('-x, --print-hex', 'data buffers in hex')
    .option('-X, --print-hex-ascii', 'data buffers in hex and ASCII')
    .option('-b, --print-base64', 'data buffers in base64')
    .option('-q, --quiet', 'print nothing (read and check the trace)')
    .option('-w, --write <file>', 'write the (matching) events to a trace file (implies -q)')
    .option('-z, --compress <kind>', 'compression of -w output: lz4 (default), gzip or none', parseCompression)
    .option(
      '--output <dest>',
      'with -r: where alerts go, repeatable: stdout (default), file:PATH, program:CMD, http(s)://URL (falcosidekick), syslog',
      collect,
    )
    .option(
      '--sysdig-filter-order',
      'filter like sysdig 0.29.3: events that do not modify state are filtered before the state sees them (a rejected enter event leaves its exit without fd or enter data); default: after, like current libs',
    )
    .option('--no-color', 'no colours (also NO_COLOR=1; colours only when stdout is a terminal)')
    .option('--summary', 'print the end-of-run summary on stderr (default: when stderr is a terminal)')
    .option('--no-summary', 'never print the end-of-run summary')
    .option('--no-progress', 'no progress bar (drawn on stderr only when it is a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  falco-ts replay trace.scap
  falco-ts replay trace.scap 'proc.name=cat and evt.type in (open,openat)'
  falco-ts replay trace.scap -p '%evt.num %proc.name %fd.name' evt.dir='<'
  falco-ts replay trace.scap -j -n 100
  falco-ts replay trace.scap -w subset.scap -z gzip 'fd.name startswith /etc'`,
    )
    .action(async (args: string[], o: Record<string, unknown>) => {
      const drops = applyFalcoConfig(o); // (before the rules and outputs are read from o)
      // (with plugins configured, the source plugins may be the input: then no file comes first)
      const { files, filter } = splitFilesAndFilter(args, ((o.plugins as unknown[] | undefined) ?? []).length === 0);
      // (the plugin machinery loads only for replay)
      const P = await (require('./plugins') as typeof import('./plugins')).replayPlugins(o, files);
      code = await replay({
        ...P,
        drops,
        serve: o.serve as ServeConfig | undefined,
        files,
        filter,
        ...eventOutputOptionsFrom(o),
        write: o.write as string | undefined,
        compression: o.compress as SinkCompression | undefined,
        color: colorEnabled(process.stdout, { noColor: o.color === false }),
        progress: o.progress !== false && process.stderr.isTTY === true,
        summary: wantSummary(o.summary as boolean | undefined),
        sysdigFilterOrder: o.sysdigFilterOrder === true,
        rules: P.rules,
        outputs: alertOutputs(o),
      });
    });

  // (reached only for `falco-ts help`: main() hands `sysdig ...` to its own parser first)
  program
    .command('sysdig')
    .description("sysdig 0.29.3's command line (also when run as 'sysdig'): falco-ts sysdig -h")
    .argument('[sysdig-args...]', "sysdig's options and filter");

  program
    .command('convert')
    .description('re-encode a trace file (lz4, gzip or none); sysdig reads the output')
    .argument('<in>', 'input trace (any format falco-ts reads)')
    .argument('<out>', 'output trace, created with mode 0600')
    .option('-z, --compress <kind>', 'lz4 (default), gzip or none', parseCompression)
    .addHelpText(
      'after',
      `
Examples:
  falco-ts convert capture.scap.gz capture.scap -z none     # for tools that need raw scap
  falco-ts convert old.scap small.scap                      # LZ4`,
    )
    .action(async (input: string, output: string, o: Record<string, unknown>) => {
      code = await convertCmd().convert(input, output, (o.compress as SinkCompression | undefined) ?? 'lz4');
    });

  // (named for the "did you mean" only, hidden from the help and man page, whose options it does
  // not have: main() hands `falco ...` to src/cli/falco before commander; see `falco-ts falco -h`)
  program
    .command('falco', { hidden: true })
    .description("Falco 0.44's command line (also when run as 'falco'): see 'falco-ts falco -h'")
    .helpOption(false)
    .allowUnknownOption()
    .argument('[options...]');

  // live capture: `capture -w FILE ...`, and `falco-ts [opts] [filter]` with no subcommand
  registerCapture(program, (c) => {
    code = c;
  });
  registerLive(program, (c) => {
    code = c;
  });
  registerStats(program, (c) => {
    code = c;
  });
  registerList(program, (c) => {
    code = c;
  });
  registerRules(program, (c) => {
    code = c;
  });
  registerTest(program, (c) => {
    code = c;
  });
  registerDocs(program, (c) => {
    code = c;
  });

  // (not commander's .version(): the text loads the rules engine's version only when asked)
  program.on('option:version', () => {
    process.stdout.write(version().versionText());
    throw new CommanderError(0, 'commander.version', '');
  });
  oneLineErrors(program, program.name());
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (ce && typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version') return 0;
      // `help NAME` of no command prints the program's help on stderr with exit 1
      if (ce.code === 'commander.help') return ce.exitCode ?? 0;
      return 2;
    }
    throw e;
  }
  return code;
}

/**
 * Usage errors print one line naming the command and where its help is (not the whole help,
 * which buries the error), as `falco-ts replay: unknown option '--jsn' (Did you mean --json?)`.
 */
function oneLineErrors(cmd: Command, path: string): void {
  cmd.showHelpAfterError(false).configureOutput({
    outputError: (text, write) => {
      const msg = text
        .replace(/^error: /, '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .join(' ')
        .replace(/\.$/, '');
      write(`${path}: ${msg}${falcoHabitHint(msg)}; see '${path} --help'\n`);
    },
  });
  for (const sub of cmd.commands) oneLineErrors(sub, `${path} ${sub.name()}`);
}

/** `-V FILE` validates rules in Falco; here it never means "version" (a CI step must not pass by it). */
function falcoHabitHint(msg: string): string {
  return /unknown option '-V'/.test(msg)
    ? " (to validate rules as Falco's -V does: 'falco-ts rules validate FILE')"
    : '';
}

/** With rules (-r), alerts go to the --output destinations (stdout by default). */
function alertOutputs(o: Record<string, unknown>): OutputManager | undefined {
  const rules = o.rules as string[] | undefined;
  if (!rules || rules.length === 0) return undefined;
  const specs = (o.output as string[] | undefined) ?? [];
  return outputManager().OutputManager.create(specs, {
    json: o.json === true || ((o.option as string[] | undefined) ?? []).includes('json_output=true'),
    color: colorEnabled(process.stdout, { noColor: o.color === false }),
  });
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

function parseCompression(v: string): SinkCompression {
  if (v === 'lz4' || v === 'gzip' || v === 'none') return v;
  throw new InputError(`-z: expected lz4, gzip or none, got '${v}'`);
}

function parseTimeType(v: string): string {
  if (/^[hardD]$/.test(v)) return v;
  throw new InputError(`-t: expected one of h, a, r, d, D, got '${v}'`);
}

function parseCount(v: string, flag: string): number {
  if (!/^\d+$/.test(v)) throw new InputError(`${flag}: expected a non-negative integer, got '${v}'`);
  return Number(v);
}
