/**
 * Falco's configuration file (`falco -c falco.yaml`), the parts falco-ts acts on: the rules
 * files, the output settings (-o keys), the output channels, logging, and syscall event drop
 * monitoring. Other keys are ignored, as Falco ignores keys it does not know. Validation and
 * its messages follow falco_configuration::load_yaml.
 */
import * as fs from 'node:fs';
import type * as YT from 'yaml';
import { InputError } from '../util/errors';
import { parseLogLevel, stderrLogger, type LogLevel } from '../log/falco-logger';
import type { DropsSetup } from '../drops/event-drops';
import type { DropAction, DropsConfig } from '../drops/drops-config';
import { readWebserverConfig, type WebserverConfig } from './webserver-config';
import { readMetricsConfig, type MetricsConfig } from './metrics-config';
import { readEngineConfig, type EngineConfig } from './engine-config';
import { readPluginsConfig, type PluginConfig } from '../plugins/plugin-config';

export interface FalcoConfig {
  /** the configuration file, or null for -o settings alone */
  file: string | null;
  /** rules_file (a path or a list): used when the command line names no rules */
  rulesFiles: string[];
  /** Falco keys as `-o key=value` strings (the command line's -o come after and win) */
  overrides: string[];
  /** output channels as `--output` specs, or null when the file configures none */
  outputs: string[] | null;
  logStderr: boolean;
  /** log_syslog (Falco's default true): the log also to syslog */
  logSyslog: boolean;
  logLevel: LogLevel;
  drops: DropsConfig | null;
  webserver: WebserverConfig;
  metrics: MetricsConfig;
  engine: EngineConfig;
  /** plugins: filtered by load_plugins */
  plugins: PluginConfig[];
}

const OVERRIDE_KEYS = [
  'priority',
  'rule_matching',
  'json_output',
  'json_include_output_property',
  'json_include_tags_property',
  'json_include_message_property',
  'time_format_iso_8601',
];

/**
 * The configuration sections this module reads; `-o section.key=value` on the command line sets
 * them as Falco's -o does (the other -o keys are the rules engine's, see applyOverrides).
 */
const CONFIG_SECTIONS = new Set([
  'stdout_output',
  'file_output',
  'program_output',
  'http_output',
  'syslog_output',
  'syscall_event_drops',
  'log_stderr',
  'log_syslog',
  'log_level',
  'rules_file',
  'rules_files',
  'append_output',
  'webserver',
  'metrics',
  'engine',
  'plugins',
  'load_plugins',
]);

/** True for a `-o key=value` that names a section read here rather than an engine key. */
export function isConfigOption(opt: string): boolean {
  const eq = opt.indexOf('=');
  const key = (eq < 0 ? opt : opt.slice(0, eq)).trim();
  return CONFIG_SECTIONS.has(key.split('.')[0].replace(/\[.*$/, ''));
}

/**
 * Reads a configuration file (or none), then applies `-o` settings of the sections read here
 * (`file_output.enabled=true`, `syscall_event_drops.actions=[log, alert]`: a value in [] or {}
 * is read as YAML).
 */
export function loadFalcoConfig(file: string | null, cmdline: readonly string[] = []): FalcoConfig {
  const where =
    file === null
      ? 'Error in the -o options'
      : cmdline.length > 0
        ? `Error reading config file (${file}) and -o options`
        : `Error reading config file (${file})`;
  const fail = (msg: string): never => {
    throw new InputError(`${where}: ${msg}`);
  };
  const Y = require('yaml') as typeof YT;
  let top: Record<string, unknown> = {};
  if (file !== null) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      return fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message);
    }
    const doc = Y.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const lc = new Y.LineCounter();
      Y.parseDocument(text, { lineCounter: lc });
      const p = lc.linePos(e.pos[0]);
      fail(`line ${p.line}, column ${p.col}: ${e.message.split('\n')[0]}`);
    }
    const root = (doc.toJS() as unknown) ?? {};
    if (typeof root !== 'object' || Array.isArray(root)) fail('the document is not a map');
    top = root as Record<string, unknown>;
  }
  for (const opt of cmdline) {
    const eq = opt.indexOf('=');
    if (eq <= 0) fail(`-o: expected key=value, got '${opt}'`);
    const keys = opt.slice(0, eq).trim().split('.');
    const raw = opt.slice(eq + 1).trim();
    let value: unknown = raw;
    if (/^[[{]/.test(raw)) {
      try {
        value = Y.parse(raw);
      } catch (e) {
        fail(`-o ${opt.slice(0, eq)}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    let node = top;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }

  const get = (pathKey: string): unknown => {
    let v: unknown = top;
    for (const k of pathKey.split('.')) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
      v = (v as Record<string, unknown>)[k];
    }
    return v;
  };
  /** a YAML scalar as text; a mapping or list is refused */
  const text = (k: string, v: unknown): string =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : fail(`${k}: expected a scalar`);
  const scalar = (k: string): string | undefined => {
    const v = get(k);
    return v === undefined || v === null ? undefined : text(k, v);
  };
  const bool = (k: string, dflt: boolean): boolean => {
    const v = scalar(k);
    if (v === undefined) return dflt;
    if (/^(true|yes|on|1)$/i.test(v)) return true;
    if (/^(false|no|off|0)$/i.test(v)) return false;
    return fail(`${k}: expected true or false, got '${v}'`);
  };
  const num = (k: string, dflt: number): number => {
    const v = scalar(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) return fail(`${k}: expected a number, got '${v}'`);
    return n;
  };

  const rf = get('rules_file') ?? get('rules_files');
  const rulesFiles =
    rf === undefined || rf === null ? [] : Array.isArray(rf) ? rf.map(String) : [text('rules_file', rf)];

  const overrides: string[] = [];
  for (const k of OVERRIDE_KEYS) {
    const v = scalar(k);
    if (v !== undefined) overrides.push(`${k}=${v}`);
  }
  // append_output: [{suggested_output: true}, ...] (the other entries append text to chosen rules: not read)
  const ao = get('append_output');
  if (Array.isArray(ao)) {
    for (const e of ao) {
      if (e !== null && typeof e === 'object' && 'suggested_output' in e)
        overrides.push(`suggested_output=${String((e as Record<string, unknown>).suggested_output)}`);
    }
  }

  // Output channels: only a file that says something about them replaces the default (stdout).
  const mentionsOutputs = ['stdout_output', 'file_output', 'program_output', 'http_output', 'syslog_output'].some(
    (k) => get(k) !== undefined,
  );
  let outputs: string[] | null = null;
  if (mentionsOutputs) {
    outputs = [];
    if (bool('stdout_output.enabled', true)) outputs.push('stdout');
    if (bool('file_output.enabled', false)) {
      const f = scalar('file_output.filename');
      if (f === undefined || f === '') fail('file_output.enabled is true but file_output.filename is not set');
      outputs.push(`file:${f}`);
    }
    if (bool('program_output.enabled', false)) {
      const p = scalar('program_output.program');
      if (p === undefined || p === '') fail('program_output.enabled is true but program_output.program is not set');
      outputs.push(`program:${p}`);
    }
    if (bool('http_output.enabled', false)) {
      const u = scalar('http_output.url');
      if (u === undefined || u === '') fail('http_output.enabled is true but http_output.url is not set');
      outputs.push(u!);
    }
    // (Falco's code default for syslog_output is on; here only an explicit `enabled: true` turns it on)
    if (get('syslog_output') !== undefined && bool('syslog_output.enabled', false)) outputs.push('syslog');
  }

  // the -o keys are checked here, so that a bad value names this file rather than -o
  try {
    // (required here: this module stays light for the CLI's check of its options)
    const { applyOverrides, DEFAULT_CONFIG } = require('../rules/index') as typeof import('../rules/index');
    applyOverrides(DEFAULT_CONFIG, overrides);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    fail((e as Error).message.replace(/^-o:? ?/, ''));
  }

  const level = scalar('log_level') ?? 'info';
  const logLevel = parseLogLevel(level);
  if (logLevel === null) fail(`log_level: unknown level '${level}'`);

  let drops: DropsConfig | null = null;
  if (get('syscall_event_drops') !== undefined) {
    const actions = new Set<DropAction>();
    const acts = get('syscall_event_drops.actions');
    for (const a of acts === undefined || acts === null
      ? []
      : Array.isArray(acts)
        ? acts.map(String)
        : [text('syscall_event_drops.actions', acts)]) {
      if (a === 'ignore') actions.add('ignore');
      else if (a === 'log' || a === 'alert') {
        if (actions.has('ignore'))
          fail(`syscall event drop action "${a}" does not make sense with the "ignore" action`);
        actions.add(a);
      } else if (a === 'exit') actions.add('exit');
      else fail('available actions for syscall event drops are "ignore", "log", "alert", and "exit"');
    }
    if (actions.size === 0) actions.add('ignore');
    const threshold = num('syscall_event_drops.threshold', 0.1);
    if (threshold < 0 || threshold > 1) fail('syscall event drops threshold must be a double in the range [0, 1]');
    drops = {
      actions,
      threshold,
      rate: num('syscall_event_drops.rate', 0.03333),
      maxBurst: num('syscall_event_drops.max_burst', 1),
      simulate: bool('syscall_event_drops.simulate_drops', false),
    };
  }

  const reader = { scalar, bool, num, fail };
  const webserver = readWebserverConfig(reader);
  const metrics = readMetricsConfig(reader, webserver.prometheusMetricsEnabled);
  const logStderr = bool('log_stderr', true);
  const engine = readEngineConfig(reader);
  const logSyslog = bool('log_syslog', true);
  const plugins = readPluginsConfig(get('plugins'), get('load_plugins'), fail);
  return {
    file,
    rulesFiles,
    overrides,
    outputs,
    logStderr,
    logSyslog,
    logLevel: logLevel!,
    drops,
    webserver,
    metrics,
    engine,
    plugins,
  };
}

/**
 * The command line over a configuration: its rules files when the command line names none,
 * its keys before the command line's other -o keys (so those win).
 */
export function mergeCommandLine(
  cfg: FalcoConfig,
  rules: readonly string[],
  options: readonly string[],
): { rules: string[]; overrides: string[] } {
  return {
    rules: rules.length === 0 ? cfg.rulesFiles : [...rules],
    overrides: [...cfg.overrides, ...options.filter((x) => !isConfigOption(x))],
  };
}

/** The drop monitoring a configuration asks for, logging as it says (to `write`, default stderr). */
export function dropsSetupOf(cfg: FalcoConfig, write?: (s: string) => void): DropsSetup | undefined {
  return cfg.drops === null
    ? undefined
    : { config: cfg.drops, logger: stderrLogger(cfg.logStderr, cfg.logLevel, write, cfg.logSyslog) };
}
