/**
 * falco.yaml's `metrics` section: defaults as falco_configuration::load_yaml, the interval in
 * Prometheus' duration syntax (falco::utils::parse_prometheus_interval) and the checks
 * Falco's init_stats_writer makes before it starts, with its messages.
 */
import type { ConfigReader } from './config-reader';

export interface MetricsConfig {
  enabled: boolean;
  /** milliseconds */
  intervalMs: number;
  intervalText: string;
  outputRule: boolean;
  /** '' = none */
  outputFile: string;
  rulesCounters: boolean;
  resourceUtilization: boolean;
  stateCounters: boolean;
  kernelEventCounters: boolean;
  kernelEventCountersPerCpu: boolean;
  libbpfStats: boolean;
  pluginsMetrics: boolean;
  convertMemoryToMb: boolean;
  includeEmptyValues: boolean;
}

const UNIT_MS: Record<string, number> = {
  y: 365 * 86400000,
  w: 7 * 86400000,
  d: 86400000,
  h: 3600000,
  m: 60000,
  s: 1000,
  ms: 1,
};
/** each unit at most once, largest first, as Prometheus' time durations */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a Prometheus duration ("15m", "1h3m2s1ms", "2h 5m"); 0 when malformed, as Falco. */
export function parsePrometheusInterval(text: string): number {
  const s = text.replace(/\s+/g, '');
  const m = DURATION.exec(s);
  if (s === '' || m === null) return 0;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  for (let i = 0; i < units.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[units[i]];
  return ms;
}

export function readMetricsConfig(r: ConfigReader, prometheusEnabled: boolean): MetricsConfig {
  const intervalText = r.scalar('metrics.interval') ?? '5000';
  const c: MetricsConfig = {
    enabled: r.bool('metrics.enabled', false),
    intervalMs: parsePrometheusInterval(intervalText),
    intervalText,
    outputRule: r.bool('metrics.output_rule', false),
    outputFile: r.scalar('metrics.output_file') ?? '',
    rulesCounters: r.bool('metrics.rules_counters_enabled', true),
    resourceUtilization: r.bool('metrics.resource_utilization_enabled', true),
    stateCounters: r.bool('metrics.state_counters_enabled', true),
    kernelEventCounters: r.bool('metrics.kernel_event_counters_enabled', true),
    kernelEventCountersPerCpu: r.bool('metrics.kernel_event_counters_per_cpu_enabled', true),
    libbpfStats: r.bool('metrics.libbpf_stats_enabled', true),
    pluginsMetrics: r.bool('metrics.plugins_metrics_enabled', true),
    convertMemoryToMb: r.bool('metrics.convert_memory_to_mb', true),
    includeEmptyValues: r.bool('metrics.include_empty_values', false),
  };
  // (further keys Falco reads here: checked as booleans, nothing of ours to switch)
  r.bool('metrics.kernel_iter_event_counters_enabled', true);
  r.bool('metrics.jemalloc_stats_enabled', true);
  if (!c.enabled) return c;
  if (c.intervalMs < 100)
    r.fail(
      'Metrics interval must have a minimum value of 100ms and reflect a Prometheus compliant time duration format: https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations. ',
    );
  if (/^\d+$/.test(intervalText))
    r.fail('Metrics interval was passed as numeric value without Prometheus time unit. Please specify a time unit');
  if (!c.outputRule && c.outputFile === '' && !prometheusEnabled)
    r.fail(
      "Metrics are enabled with no output configured. Please enable at least one output channel ('metrics.output_rule', 'metrics.output_file' or 'webserver.prometheus_metrics_enabled')",
    );
  return c;
}
