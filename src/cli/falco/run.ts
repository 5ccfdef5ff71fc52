/**
 * `falco-ts falco [Falco's options]` (and the program run as `falco`): Falco 0.44's actions in
 * its order (userspace/falco/app/app.cpp) over falco-ts's one engine: the configuration
 * through loadFalcoConfig, the rules through the rules session, the events through the
 * replay and live commands. A failure prints Falco's `Error: <message>` and exits 1.
 */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { InputError } from '../../util/errors';
import { onSignals } from '../../util/process-signals';
import * as path from 'node:path';
import type { EngineConfig } from '../../config/engine-config';
import type { CaptureConfig } from '../../config/falco-config';
import type { LiveOptions } from '../live';
import type { DropsSetup } from '../../drops/event-drops';
import type { ServeConfig } from '../../webserver/serve';
import type { SessionOptions } from '../../rules';
import { applyFalcoConfig, rulesOptionsFrom } from '../rules';
import { replay } from '../replay';
import { live } from '../live';
import { FalcoUsageError, parseFalcoArgs, type FalcoOptions } from './options';
import { FalcoError } from './errors';
import { usage } from './help';
import { versionText } from './version';
import { ignoredEvents, listEvents } from './events';
import { EVENT_SOURCES, listFields } from './fields';
import { validateRulesFiles } from './validate';
import { describeJson, describeText } from './describe';
import { supportJson } from './support';
import { falcoJson } from './json';
import { alertOutputsFor } from './outputs';
import { loadPluginSet, parseStage } from '../plugins';
import { listPluginsText, pluginInfoOf } from '../plugin-info';
import type { PluginSet } from '../../plugins/registry';

/** Falco's default configuration file, read when -c is not given and it exists. */
export const FALCO_INSTALL_CONF_FILE = '/etc/falco/falco.yaml';

export async function falcoMain(args: readonly string[], argv0 = 'falco'): Promise<number> {
  try {
    return await run(parseFalcoArgs(args), [argv0, ...args].join(' '));
  } catch (e) {
    if (e instanceof FalcoUsageError || e instanceof FalcoError || e instanceof InputError) {
      process.stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** The parsed configuration: the commander-style object the replay and live commands read. */
interface Setup {
  o: Record<string, unknown>;
  drops: DropsSetup | undefined;
  engine: EngineConfig;
  json: boolean;
}

function loadConfig(opts: FalcoOptions, conf: string | null): Setup {
  const o: Record<string, unknown> = {
    config: conf ?? undefined,
    option: [...opts.options],
    rules: opts.rules.length > 0 ? [...opts.rules] : undefined,
  };
  const drops = applyFalcoConfig(o);
  // -U/--unbuffered wins over buffered_outputs
  if (opts.unbuffered && o.outputOptions !== undefined) (o.outputOptions as { immediate: boolean }).immediate = true;
  const R = require('../../rules') as typeof import('../../rules');
  const cfg = R.applyOverrides(R.DEFAULT_CONFIG, (o.option as string[]) ?? []);
  const engine = (o.engine as EngineConfig | undefined) ?? { kind: 'kmod', captureFile: null, explicit: false };
  return { o, drops, engine, json: cfg.jsonOutput };
}

async function run(opts: FalcoOptions, cmdline: string): Promise<number> {
  const out = (s: string): number => {
    process.stdout.write(s);
    return 0;
  };
  // options::parse: a -c file that cannot be opened fails before anything else
  if (opts.config !== null && !readable(opts.config))
    throw new FalcoError(`Could not find configuration file at ${opts.config}`);
  const conf = opts.config ?? (readable(FALCO_INSTALL_CONF_FILE) ? FALCO_INSTALL_CONF_FILE : null);
  if (opts.unmatched.length > 0)
    process.stderr.write(`falco: ignoring argument(s) that are not options: ${opts.unmatched.join(' ')}\n`);

  if (opts.help) return out(usage());
  if (opts.configSchema || opts.ruleSchema)
    throw new FalcoError(`--${opts.configSchema ? 'config' : 'rule'}-schema is not available in falco-ts`);
  if (opts.ignoredEvents) return out(ignoredEvents());
  if (opts.listEvents) return out(listEvents(opts.format));
  if (opts.print !== '') throw new FalcoError('-p is not supported by falco-ts: use append_output in falco.yaml');

  const s = loadConfig(opts, conf);
  if (opts.version) return out(versionText(s.json));
  if (opts.pageSize) {
    const size = execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim();
    process.stderr.write(`Your system page size is: ${size} bytes\n`);
    return 0;
  }
  const plugins = await loadPluginSet(s.o, (e) => new FalcoError(e));
  if (opts.pluginInfo !== '') {
    const info = pluginInfoOf(plugins, opts.pluginInfo);
    if (info === null) throw new FalcoError(`can't find plugin and print its info: ${opts.pluginInfo}`);
    return out(info);
  }
  if (opts.listPlugins) return out(listPluginsText(plugins));
  if (opts.list !== null) {
    if (opts.list !== '' && !plugins.sources().includes(opts.list))
      throw new FalcoError('Value for --list must be a valid source type');
    return out(listFields(opts, plugins));
  }
  const replaying = s.engine.kind === 'replay';
  const enabled = replaying ? new Set(EVENT_SOURCES) : selectSources(opts, plugins.sources());
  if (opts.validate.length > 0) {
    const describe = opts.describeRule !== '' ? opts.describeRule : opts.describeAll ? null : undefined;
    validateRulesFiles({ files: opts.validate, json: s.json, describe, plugins });
    return 0;
  }

  const fromConfig = rulesOptionsFrom(s.o);
  const rules = fromConfig && { ...fromConfig, plugins };
  if (rules === undefined)
    throw new FalcoError(
      'You must specify at least one rules file/directory via -r or a rules_file entry in falco.yaml',
    );
  if (opts.describeAll || opts.describeRule !== '' || opts.support) {
    const R = require('../../rules') as typeof import('../../rules');
    const session = R.RulesSession.load(rules);
    if (opts.support)
      return out(
        supportJson(
          cmdline,
          configDump(conf, opts),
          session.results.map((r) => r.name),
        ),
      );
    const d = describeJson(session.loader, opts.describeRule !== '' ? opts.describeRule : null);
    return out(s.json ? falcoJson(d) + '\n' : describeText(d));
  }
  if (opts.dryRun) {
    // (everything loads, nothing runs: the rules are checked by loading them once)
    const R = require('../../rules') as typeof import('../../rules');
    R.RulesSession.load(rules);
    return 0;
  }
  if (opts.pidfile !== '') writePidfile(opts.pidfile);
  try {
    return await processEvents(opts, s, rules, enabled, plugins);
  } finally {
    plugins.destroy(); // (as Falco does at exit: plugins may flush or log)
  }
}

/** select_event_sources: syscall and the loaded source plugins', by --enable/--disable-source */
function selectSources(opts: FalcoOptions, known: readonly string[]): Set<string> {
  if (opts.enableSources.length > 0 && opts.disableSources.length > 0)
    throw new FalcoError('You can not mix --enable-source and --disable-source');
  for (const src of opts.enableSources)
    if (!known.includes(src)) throw new FalcoError(`Attempted enabling an unknown event source: ${src}`);
  const enabled = new Set(opts.enableSources.length > 0 ? opts.enableSources : known);
  for (const src of opts.disableSources) {
    if (!known.includes(src)) throw new FalcoError(`Attempted disabling an unknown event source: ${src}`);
    enabled.delete(src);
  }
  if (enabled.size === 0) throw new FalcoError('Must enable at least one event source');
  return enabled;
}

async function processEvents(
  opts: FalcoOptions,
  s: Setup,
  rules: SessionOptions,
  enabled: ReadonlySet<string>,
  plugins: PluginSet,
): Promise<number> {
  const durationSec = opts.durationSec > 0 ? opts.durationSec : undefined;
  const sources = plugins.sourcing().filter((a) => enabled.has(a.plugin.info.eventSource!));
  // what replay and live mode take alike
  const common = {
    filter: '',
    bufferFormat: 'normal' as const,
    durationSec,
    rules,
    outputs: alertOutputsFor(s.o, s.json)?.create(),
    drops: s.drops,
    serve: s.o.serve as ServeConfig | undefined,
    parse: parseStage(plugins),
  };
  if (s.engine.kind === 'replay' && s.o.falcoCapture)
    process.stderr.write('falco: capture.enabled: falco-ts records on alert in live runs only; not in this replay\n');
  if (s.engine.kind === 'replay') return replay({ ...common, files: [s.engine.captureFile!], summary: false });
  // the syscall source off (or with no driver): the plugin sources alone
  if (sources.length > 0 && (!enabled.has('syscall') || s.engine.kind === 'nodriver'))
    return replay({ ...common, files: [], pluginSources: sources, summary: false });
  if (sources.length > 0)
    throw new FalcoError(
      `falco-ts cannot run the plugin source '${sources[0].plugin.info.eventSource}' alongside the live syscall capture yet: pass --disable-source=syscall`,
    );
  if (s.engine.kind === 'nodriver') return noDriver(rules, durationSec);
  return live({
    ...common,
    noSummary: true,
    // the configuration's kind, else our probe's own choice (eBPF, then the kernel module)
    driver: !s.engine.explicit ? 'auto' : s.engine.kind === 'kmod' ? 'kmod' : 'ebpf',
    watchFiles: s.o.watchFiles as string[] | undefined,
    captureOnAlert: captureOf(s.o.falcoCapture as CaptureConfig | null | undefined),
    reload: () => {
      const again = loadConfig(opts, (s.o.config as string | undefined) ?? null);
      const r = rulesOptionsFrom(again.o);
      if (r === undefined) throw new InputError('no rules files to load');
      return { rules: r, outputs: alertOutputsFor(again.o, again.json) };
    },
  });
}

/**
 * falco.yaml's capture as our capture on alert: the files in path_prefix's directory, from
 * the alert on for default_duration (a rule's own capture_duration is not read).
 */
function captureOf(c: CaptureConfig | null | undefined): LiveOptions['captureOnAlert'] {
  if (c === null || c === undefined) return undefined;
  return {
    dir: path.dirname(c.pathPrefix),
    beforeSec: 0,
    afterSec: c.defaultDurationMs / 1000,
    captureRulesOnly: c.mode === 'rules',
  };
}

/** engine.kind nodriver: the rules load, no source opens; runs until a signal or -M. */
async function noDriver(rules: SessionOptions, durationSec: number | undefined): Promise<number> {
  const R = require('../../rules') as typeof import('../../rules');
  R.RulesSession.load(rules);
  process.stderr.write(
    "falco: enabled event source 'syscall' will be opened with no driver, no event will be produced\n",
  );
  await new Promise<void>((resolve) => {
    const timer = durationSec !== undefined ? setTimeout(done, durationSec * 1000) : null;
    const off = onSignals(['SIGINT', 'SIGTERM'], done);
    function done(): void {
      off();
      if (timer !== null) clearTimeout(timer);
      resolve();
    }
  });
  return 0;
}

/** actions/pidfile.cpp: the pid, no newline */
function writePidfile(file: string): void {
  try {
    fs.writeFileSync(file, String(process.pid));
  } catch {
    throw new FalcoError(`Could not write pid to pidfile ${file}. Exiting.`);
  }
}

/** --support's "config": the configuration file as read, and the -o options */
function configDump(conf: string | null, opts: FalcoOptions): unknown {
  const Y = require('yaml') as typeof import('yaml');
  return {
    file: conf,
    content: conf !== null ? ((Y.parse(fs.readFileSync(conf, 'utf8')) as unknown) ?? {}) : {},
    options: opts.options,
  };
}

function readable(f: string): boolean {
  try {
    fs.accessSync(f, fs.constants.R_OK);
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}
