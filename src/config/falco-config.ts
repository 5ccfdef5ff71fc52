/**
 * Falco's configuration file (`falco -c falco.yaml`, its `config_files`, and -o): the rules
 * files and their selection, the output settings, the output channels, logging, syscall event
 * drop monitoring, the web server, metrics and engine. What each key gets is config-keys.ts's
 * table. Validation and its messages follow falco_configuration::load_yaml.
 */
import * as fs from 'node:fs';
import { InputError } from '../util/errors';
import { loadConfigDocument } from './config-document';
import { schemaWarning, unknownKey, unsupportedWarnings } from './config-keys';
import {
  readAppendOutput,
  readRuleSelection,
  readStaticFields,
  type AppendOutput,
  type RuleSelection,
} from './rules-config';
import { parseLogLevel, stderrLogger, type LogLevel } from '../log/falco-logger';
import type { DropsSetup } from '../drops/event-drops';
import type { DropAction, DropsConfig } from '../drops/drops-config';
import { readWebserverConfig, type WebserverConfig } from './webserver-config';
import { readMetricsConfig, type MetricsConfig } from './metrics-config';
import { readEngineConfig, type EngineConfig } from './engine-config';
import { readPluginsConfig, type PluginConfig } from '../plugins/plugin-config';

/** http_output's options beyond its url (files are read when the output is made) */
export interface HttpConfig {
  userAgent: string;
  insecure: boolean;
  compress: boolean;
  /** ca_cert and ca_bundle: PEM files to trust (instead of Node's roots, as curl's CAINFO) */
  caFiles: string[];
  /** ca_path when not the system default: a directory of PEM certificates to trust */
  caDir: string | null;
  /** with mtls: the client certificate and key files */
  clientCert: string | null;
  clientKey: string | null;
}

/** falco.yaml's capture section, when enabled */
export interface CaptureConfig {
  /** the files go in this prefix's directory */
  pathPrefix: string;
  /** rules: only the rules that say `capture: true`; all_rules: every alert */
  mode: 'rules' | 'all_rules';
  /** what is recorded after the alert (Falco records from the alert on) */
  defaultDurationMs: number;
}

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
  /** `rules:` enable/disable entries, in order */
  rulesSelection: RuleSelection[];
  /** `append_output:` entries other than suggested_output */
  appendOutput: AppendOutput[];
  staticFields: Record<string, string>;
  /** buffered_outputs (Falco's default false: every alert is flushed as it is raised) */
  bufferedOutputs: boolean;
  /** outputs_queue.capacity; 0 = unbounded */
  outputsQueueCapacity: number;
  /** http_output's TLS and request options */
  http: HttpConfig;
  /** capture (Falco 0.42's recording on alert): a live run's --capture-on-alert, or null */
  capture: CaptureConfig | null;
  /** watch_config_files (Falco's default true): a live run reloads when a file changes */
  watchConfigFiles: boolean;
  /** the configuration files read, main first */
  files: string[];
  /** one line each: the schema check of each file, the unsupported keys, deprecations */
  warnings: string[];
}

const OVERRIDE_KEYS = [
  'priority',
  'rule_matching',
  'json_output',
  'json_include_output_property',
  'json_include_tags_property',
  'json_include_message_property',
  'json_include_output_fields_property',
  'time_format_iso_8601',
];

/** -o keys the rules engine reads itself (applyOverrides); falco-ts's shorthand among them */
const ENGINE_OPTIONS = new Set([...OVERRIDE_KEYS, 'suggested_output', 'append_output.suggested_output']);

/**
 * True for a `-o key=value` that goes into the configuration document, as every -o does in
 * Falco (a key Falco does not know is set there and read by nobody); false for the keys the
 * rules engine takes directly.
 */
export function isConfigOption(opt: string): boolean {
  const eq = opt.indexOf('=');
  return !ENGINE_OPTIONS.has((eq < 0 ? opt : opt.slice(0, eq)).trim());
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
  const doc = loadConfigDocument(file, cmdline, fail);
  const top = doc.root;
  const warnings: string[] = [];
  for (const f of doc.files) {
    const u = unknownKey(f.doc);
    if (u !== null) warnings.push(schemaWarning(f.file, u));
  }
  warnings.push(...unsupportedWarnings(top));
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
  // (an empty value, as a ${VAR} of an unset variable gives, is the default, as yaml-cpp's as<T>(dflt))
  const bool = (k: string, dflt: boolean): boolean => {
    const v = scalar(k);
    if (v === undefined || v === '') return dflt;
    if (/^(true|yes|on|1)$/i.test(v)) return true;
    if (/^(false|no|off|0)$/i.test(v)) return false;
    return fail(`${k}: expected true or false, got '${v}'`);
  };
  const num = (k: string, dflt: number): number => {
    const v = scalar(k);
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) return fail(`${k}: expected a number, got '${v}'`);
    return n;
  };

  if (get('rules_files') !== undefined && get('rules_file') !== undefined)
    fail("both 'rules_files' and 'rules_file' keys set");
  if (get('rules_file') !== undefined)
    warnings.push(
      "Using deprecated config key 'rules_file' (singular form). Please use new 'rules_files' config key (plural form).",
    );
  const rf = get('rules_files') ?? get('rules_file');
  // (as Falco, only the entries that exist: the shipped list names optional files and directories)
  const rulesFiles = (
    rf === undefined || rf === null ? [] : Array.isArray(rf) ? rf.map(String) : [text('rules_files', rf)]
  ).filter((f) => f === 'default' || f === 'builtin' || fs.existsSync(f));

  const overrides: string[] = [];
  for (const k of OVERRIDE_KEYS) {
    const v = scalar(k);
    if (v !== undefined) overrides.push(`${k}=${v}`);
  }
  const ao = readAppendOutput(get('append_output'), fail);
  for (const e of ao) if (e.suggestedOutput !== null) overrides.push(`suggested_output=${e.suggestedOutput}`);
  for (const e of ao)
    if (e.rule !== '' && e.tags.length > 0)
      warnings.push(
        `An append_ouptut entry specifies both a rule (${e.rule}) and a list of tags (${e.tags.join(', ')}). ` +
          `This means that output will be appended only to the ${e.rule} rule and only if it has all the tags: ${e.tags.join(', ')}.`,
      );

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
  const capacity = num('outputs_queue.capacity', 0);
  if (!Number.isInteger(capacity) || capacity < 0)
    fail(`outputs_queue.capacity: expected an unsigned integer, got '${capacity}'`);
  function readCapture(): CaptureConfig | null {
    const m = scalar('capture.mode') ?? 'rules';
    const mode = m === 'rules' || m === 'all_rules' ? m : fail(`capture.mode '${m}' is not a valid mode.`);
    const d = num('capture.default_duration', 5000);
    if (!Number.isInteger(d) || d < 0) fail(`capture.default_duration: expected an unsigned integer, got '${d}'`);
    if (!bool('capture.enabled', false)) return null;
    return { pathPrefix: scalar('capture.path_prefix') ?? '/tmp/falco', mode, defaultDurationMs: d };
  }
  const caPath = scalar('http_output.ca_path') ?? '/etc/ssl/certs';
  const mtls = bool('http_output.mtls', false);
  const http: HttpConfig = {
    userAgent: scalar('http_output.user_agent') ?? 'falcosecurity/falco',
    insecure: bool('http_output.insecure', false),
    compress: bool('http_output.compress_uploads', false),
    caFiles: ['http_output.ca_cert', 'http_output.ca_bundle'].map((k) => scalar(k) ?? '').filter((f) => f !== ''),
    // (the system store is what Node's own roots stand for)
    caDir: caPath === '' || caPath === '/etc/ssl/certs' ? null : caPath,
    clientCert: mtls ? (scalar('http_output.client_cert') ?? '/etc/ssl/certs/client.crt') : null,
    clientKey: mtls ? (scalar('http_output.client_key') ?? '/etc/ssl/certs/client.key') : null,
  };
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
    rulesSelection: readRuleSelection(get('rules'), fail),
    appendOutput: ao.filter((e) => e.format !== '' || e.fields.length > 0),
    staticFields: readStaticFields(get('static_fields'), fail),
    bufferedOutputs: bool('buffered_outputs', false),
    outputsQueueCapacity: capacity,
    http,
    capture: readCapture(),
    watchConfigFiles: bool('watch_config_files', true),
    files: doc.files.map((f) => f.file),
    warnings,
  };
}

/**
 * The command line over a configuration, as rules session options: its rules files when the
 * command line names none, its keys before the command line's other -o keys (so those win),
 * and what the configuration says of the rules (selection, append_output, static_fields).
 */
export function mergeCommandLine(
  cfg: FalcoConfig,
  rules: readonly string[],
  options: readonly string[],
): {
  rules: string[];
  overrides: string[];
  selection: RuleSelection[];
  appendOutput: AppendOutput[];
  staticFields: Record<string, string>;
} {
  return {
    rules: rules.length === 0 ? cfg.rulesFiles : [...rules],
    overrides: [...cfg.overrides, ...options.filter((x) => !isConfigOption(x))],
    selection: cfg.rulesSelection,
    appendOutput: cfg.appendOutput,
    staticFields: cfg.staticFields,
  };
}

/** The configuration's warnings through its logger (stderr and syslog, as log_* say). */
export function logConfigWarnings(cfg: FalcoConfig, write?: (s: string) => void): void {
  if (cfg.warnings.length === 0) return;
  const log = stderrLogger(cfg.logStderr, cfg.logLevel, write, cfg.logSyslog);
  for (const w of cfg.warnings) log.log(parseLogLevel('warning')!, w);
}

/** The drop monitoring a configuration asks for, logging as it says (to `write`, default stderr). */
export function dropsSetupOf(cfg: FalcoConfig, write?: (s: string) => void): DropsSetup | undefined {
  return cfg.drops === null
    ? undefined
    : { config: cfg.drops, logger: stderrLogger(cfg.logStderr, cfg.logLevel, write, cfg.logSyslog) };
}
