/**
 * Every key of Falco 0.44's falco.yaml (its JSON schema, config_json_schema.h, and what
 * falco_configuration::load_yaml reads), and what falco-ts does with it: reads and acts on
 * it, leaves it to another module, or accepts it and says once what it does not do. A key
 * outside the table is what Falco's schema check reports: one warning per file, the run goes on.
 */
import { nodeText, type Doc } from './config-document';

export type KeyUse =
  /** read and acted on by falco-config.ts or the section module it calls */
  | { use: 'read' }
  /** read by another module (the plugins loader) */
  | { use: 'elsewhere'; by: string }
  /**
   * not done by falco-ts: a value other than `honoured` (Falco's default, which we match) warns,
   * when `applies` (the section is in use: its `enabled`, the engine's kind)
   */
  | { use: 'unsupported'; what: string; honoured: readonly string[]; applies?: (get: Get) => boolean };

/** a key's text in the configuration ('' when absent) */
type Get = (key: string) => string;

const READ: KeyUse = { use: 'read' };
const PLUGINS: KeyUse = { use: 'elsewhere', by: 'the plugins loader' };
const no = (what: string, ...honoured: string[]): KeyUse => ({ use: 'unsupported', what, honoured });
/** no(), only while the key `on` has the value `is` */
const noWhen = (on: string, is: string, what: string, ...honoured: string[]): KeyUse => ({
  use: 'unsupported',
  what,
  honoured,
  applies: (get) => (get(on) || (on === 'engine.kind' ? 'kmod' : '')) === is,
});

const PROBE_BUFFERS = "falco-ts's probe sizes its own ring buffers";
const LIBS_TABLES = "falco-ts's state engine sizes and purges its own thread table";

/**
 * Dotted key → use. A key whose value is a list or an open map (rules, plugins, static_fields)
 * is one entry: what is inside is that reader's business.
 */
export const CONFIG_KEYS: Readonly<Record<string, KeyUse>> = {
  config_files: READ,
  watch_config_files: READ,
  rules_files: READ,
  rules_file: READ, // (the deprecated singular form)
  rule_files: no('Falco itself does not read this key (rules_files is the one)'),
  rules: READ,
  'engine.kind': READ,
  'engine.kmod.buf_size_preset': noWhen('engine.kind', 'kmod', PROBE_BUFFERS, '4'),
  'engine.kmod.drop_failed_exit': noWhen(
    'engine.kind',
    'kmod',
    'falco-ts does not drop failed syscall exit events in the probe',
    'false',
  ),
  'engine.modern_ebpf.cpus_for_each_buffer': noWhen('engine.kind', 'modern_ebpf', PROBE_BUFFERS, '2'),
  'engine.modern_ebpf.buf_size_preset': noWhen('engine.kind', 'modern_ebpf', PROBE_BUFFERS, '4'),
  'engine.modern_ebpf.drop_failed_exit': noWhen(
    'engine.kind',
    'modern_ebpf',
    'falco-ts does not drop failed syscall exit events in the probe',
    'false',
  ),
  'engine.modern_ebpf.disable_iterators': noWhen(
    'engine.kind',
    'modern_ebpf',
    "falco-ts's probe has no BPF iterators to disable",
    'false',
  ),
  'engine.replay.capture_file': READ,
  'capture.enabled': READ,
  'capture.path_prefix': READ,
  'capture.mode': READ,
  'capture.default_duration': READ,
  'capture.max_file_size_mb': noWhen(
    'capture.enabled',
    'true',
    'a capture is bounded by the files kept in its directory, not per file',
    '0',
  ),
  load_plugins: PLUGINS,
  plugins: PLUGINS,
  plugins_hostinfo: PLUGINS,
  time_format_iso_8601: READ,
  buffer_format_base64: READ,
  priority: READ,
  json_output: READ,
  json_include_output_property: READ,
  json_include_message_property: READ,
  json_include_output_fields_property: READ,
  json_include_tags_property: READ,
  buffered_outputs: READ,
  rule_matching: READ,
  'outputs_queue.capacity': READ,
  append_output: READ,
  static_fields: READ,
  'stdout_output.enabled': READ,
  'syslog_output.enabled': READ,
  'file_output.enabled': READ,
  'file_output.keep_alive': no('the file output keeps its file open; it reopens it on SIGUSR1', 'false', 'true'),
  'file_output.filename': READ,
  'http_output.enabled': READ,
  'http_output.url': READ,
  'http_output.user_agent': READ,
  'http_output.insecure': READ,
  'http_output.ca_cert': READ,
  'http_output.ca_bundle': READ,
  'http_output.ca_path': READ,
  'http_output.mtls': READ,
  'http_output.client_cert': READ,
  'http_output.client_key': READ,
  'http_output.echo': noWhen('http_output.enabled', 'true', 'the HTTP output does not echo responses', 'false'),
  'http_output.compress_uploads': READ,
  'http_output.keep_alive': noWhen(
    'http_output.enabled',
    'true',
    'the HTTP output always keeps its connections alive',
    'false',
    'true',
  ),
  'http_output.max_consecutive_timeouts': noWhen(
    'http_output.enabled',
    'true',
    'the HTTP output retries with backoff instead',
    '5',
  ),
  'program_output.enabled': READ,
  'program_output.keep_alive': noWhen(
    'program_output.enabled',
    'true',
    'the program output keeps one program running for all alerts, as keep_alive true',
    'true',
  ),
  'program_output.program': READ,
  'webserver.enabled': READ,
  'webserver.threadiness': READ,
  'webserver.listen_port': READ,
  'webserver.listen_address': READ,
  'webserver.k8s_healthz_endpoint': READ,
  'webserver.prometheus_metrics_enabled': READ,
  'webserver.ssl_enabled': READ,
  'webserver.ssl_certificate': READ,
  log_stderr: READ,
  log_syslog: READ,
  log_level: READ,
  'libs_logger.enabled': no('falco-ts has no libs logger (its engine logs through log_level)', 'true', 'false'),
  'libs_logger.severity': no('falco-ts has no libs logger (its engine logs through log_level)', 'info'),
  output_timeout: no('falco-ts does not time outputs out; the HTTP output has its own timeout', '2000'),
  'syscall_event_timeouts.max_consecutives': no('falco-ts does not count consecutive timeouts', '1000'),
  'syscall_event_drops.threshold': READ,
  'syscall_event_drops.actions': READ,
  'syscall_event_drops.rate': READ,
  'syscall_event_drops.max_burst': READ,
  'syscall_event_drops.simulate_drops': READ,
  'metrics.enabled': READ,
  'metrics.interval': READ,
  'metrics.output_rule': READ,
  'metrics.output_file': READ,
  'metrics.rules_counters_enabled': READ,
  'metrics.resource_utilization_enabled': READ,
  'metrics.state_counters_enabled': READ,
  'metrics.kernel_event_counters_enabled': READ,
  'metrics.kernel_event_counters_per_cpu_enabled': READ,
  'metrics.libbpf_stats_enabled': READ,
  'metrics.plugins_metrics_enabled': READ,
  'metrics.kernel_iter_event_counters_enabled': READ,
  'metrics.jemalloc_stats_enabled': READ,
  'metrics.convert_memory_to_mb': READ,
  'metrics.include_empty_values': READ,
  'base_syscalls.custom_set': no('falco-ts traces the syscalls its probe chooses', ''),
  'base_syscalls.repair': no('falco-ts traces the syscalls its probe chooses', 'false'),
  'base_syscalls.all': no('falco-ts traces the syscalls its probe chooses', 'false'),
  'falco_libs.thread_table_size': no(LIBS_TABLES, '262144'),
  'falco_libs.thread_table_auto_purging_interval_s': no(LIBS_TABLES, '300'),
  'falco_libs.thread_table_auto_purging_thread_timeout_s': no(LIBS_TABLES, '300'),
  'falco_libs.snaplen': no("falco-ts's probe captures its own snapshot length of I/O buffers", '0', '80'),
};

/** the maps of the table (keys that have keys below them) */
const SECTIONS = new Set(
  Object.keys(CONFIG_KEYS).flatMap((k) => k.split('.').map((_, i, a) => a.slice(0, i).join('.'))),
);

const isMap = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The first key of one file that Falco's schema does not know, as Falco logs the top-most
 * schema error; null when every key is known.
 */
export function unknownKey(doc: Doc): string | null {
  const walk = (m: Doc, prefix: string): string | null => {
    for (const [k, v] of Object.entries(m)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (key in CONFIG_KEYS && !(SECTIONS.has(key) && isMap(v))) continue;
      if (!SECTIONS.has(key)) return key;
      if (isMap(v)) {
        const u = walk(v, key);
        if (u !== null) return u;
      }
    }
    return null;
  };
  return walk(doc, '');
}

/** Falco's load_config line for a file whose schema check failed */
export function schemaWarning(file: string, key: string): string {
  const leaf = key.split('.').pop()!;
  const at = key.includes('.') ? `<root>[${key.split('.').slice(0, -1).join('][')}]` : '<root>';
  return `${file} | schema validation: failed for ${at}: Object contains a property that could not be validated using 'properties' or 'additionalProperties' constraints: '${leaf}'.`;
}

/** The one warning of each unsupported key set to a value we do not honour. */
export function unsupportedWarnings(root: Doc): string[] {
  const out: string[] = [];
  const get: Get = (key) => {
    let v: unknown = root;
    for (const k of key.split('.')) v = isMap(v) ? v[k] : undefined;
    return nodeText(v);
  };
  for (const [key, u] of Object.entries(CONFIG_KEYS)) {
    if (u.use !== 'unsupported') continue;
    let v: unknown = root;
    for (const k of key.split('.')) v = isMap(v) ? v[k] : undefined;
    if (v === undefined || v === null) continue;
    const text = Array.isArray(v) ? v.map(nodeText).join(',') : nodeText(v);
    if (u.honoured.includes(text) || (u.applies !== undefined && !u.applies(get))) continue;
    out.push(`configuration key '${key}' is not supported by falco-ts (${u.what}); its value '${text}' is ignored`);
  }
  return out;
}
