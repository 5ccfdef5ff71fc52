/**
 * One metrics snapshot, Falco's metrics with both their names: the output_fields key of the
 * "Falco internal: metrics snapshot" alert / output_file line (falco.num_evts) and the
 * Prometheus family (falcosecurity_falco_..., with its type and labels), as Falco 0.44's
 * stats_writer and falco_metrics produce them. Only what this run can fill truthfully.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MetricsConfig } from '../config/metrics-config';
import type { RunCounters } from './run-counters';
import {
  hostBootSeconds,
  hostMemoryUsedBytes,
  hostOpenFds,
  hostProcsRunning,
  processCpuRatio,
  processMemory,
} from './host-stats';

export interface Metric {
  /** the output_fields key, or null for a Prometheus-only series */
  field: string | null;
  /** the JSON value (a _mb figure when convert_memory_to_mb), or undefined for Prometheus only */
  fieldValue?: number | string;
  /** full Prometheus name (falcosecurity_ + subsystem + _ + name), '' for output_fields only */
  prom: string;
  type: 'gauge' | 'counter';
  labels: Record<string, string>;
  value: number;
}

/** What stays fixed over a run: read once when the run starts. */
export interface RunIdentity {
  version: string;
  startNs: bigint;
  hostname: string;
  kernelRelease: string;
  bootNs: bigint | null;
  numCpus: number;
  /** basename → sha256 of each rules file and of the configuration file */
  rulesSha: [string, string][];
  configSha: [string, string][];
}

const sha256 = (file: string): string | null => {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null; // a directory or the built-in ruleset: no file hash
  }
};

export function runIdentity(version: string, counters: RunCounters, configFile: string | null): RunIdentity {
  const hashes = (files: readonly string[]): [string, string][] =>
    files.flatMap((f) => {
      const h = sha256(f);
      return h === null ? [] : [[path.basename(f), h] as [string, string]];
    });
  const boot = hostBootSeconds();
  return {
    version,
    startNs: BigInt(Date.now()) * 1000000n,
    hostname: os.hostname(),
    kernelRelease: os.release(),
    bootNs: boot === null ? null : BigInt(boot) * 1000000000n,
    numCpus: os.cpus().length,
    rulesSha: hashes(counters.rulesFiles),
    configSha: configFile === null ? [] : hashes([configFile]),
  };
}

/** falco::utils::sanitize_rule_name */
export function sanitizeRuleName(name: string): string {
  return name
    .replace(/[^a-zA-Z0-9_:]/g, '_')
    .replace(/_+/g, '_')
    .replace(/_$/, '');
}

const info = (prom: string, labels: Record<string, string>): Metric => ({
  field: null,
  prom,
  type: 'gauge',
  labels,
  value: 1,
});

/** Takes a snapshot now. */
export function collectMetrics(id: RunIdentity, c: RunCounters, cfg: MetricsConfig): Metric[] {
  const out: Metric[] = [];
  const add = (field: string | null, prom: string, type: Metric['type'], value: number, labels = {}) =>
    out.push({ field, prom, type, labels, value });
  const nowNs = BigInt(Date.now()) * 1000000n;
  // base fields
  out.push(info('falcosecurity_scap_engine_name_info', { engine_name: c.engineName, evt_source: 'syscall' }));
  out.push(info('falcosecurity_falco_version_info', { version: id.version }));
  out.push(info('falcosecurity_falco_kernel_release_info', { kernel_release: id.kernelRelease }));
  out.push(info('falcosecurity_evt_hostname_info', { hostname: id.hostname }));
  for (const [file_name, sha] of id.rulesSha)
    out.push(info('falcosecurity_falco_sha256_rules_files_info', { file_name, sha256: sha }));
  for (const [file_name, sha] of id.configSha)
    out.push(info('falcosecurity_falco_sha256_config_files_info', { file_name, sha256: sha }));
  add('falco.start_ts', 'falcosecurity_falco_start_timestamp_nanoseconds', 'gauge', Number(id.startNs));
  if (id.bootNs !== null)
    add('falco.host_boot_ts', 'falcosecurity_falco_host_boot_timestamp_nanoseconds', 'gauge', Number(id.bootNs));
  add('falco.host_num_cpus', 'falcosecurity_falco_host_num_cpus_total', 'gauge', id.numCpus);
  let queueDrops = 0;
  if (c.outputs !== undefined) for (const o of c.outputs.outputs) queueDrops += o.counters.dropped;
  add('falco.outputs_queue_num_drops', 'falcosecurity_falco_outputs_queue_num_drops_total', 'counter', queueDrops);
  add(
    'falco.duration_sec',
    'falcosecurity_falco_duration_seconds_total',
    'counter',
    Math.floor(Number(nowNs - id.startNs) / 1e9),
  );
  add('falco.num_evts', '', 'counter', c.eventsProcessed()); // (output_fields only)

  if (cfg.rulesCounters && c.rules !== undefined) {
    let total = 0;
    for (const r of c.rules.enabled) {
      const n = c.rules.counts.get(r.name) ?? 0;
      total += n;
      if (n === 0 && !cfg.includeEmptyValues) continue;
      const labels: Record<string, string> = { rule_name: r.name, priority: String(r.priority), source: r.source };
      for (const t of r.tags) labels[`tag_${t}`] = 'true';
      add(`falco.rules.${sanitizeRuleName(r.name)}`, 'falcosecurity_falco_rules_matches_total', 'counter', n, labels);
    }
    out.push({
      field: 'falco.rules.matches_total',
      fieldValue: total,
      prom: '',
      type: 'counter',
      labels: {},
      value: total,
    });
  }

  if (cfg.resourceUtilization) {
    const mem = processMemory();
    const mb = (b: number) => (cfg.convertMemoryToMb ? Math.round((b / 1048576) * 10) / 10 : b);
    const unit = cfg.convertMemoryToMb ? 'mb' : 'bytes';
    const cpu = processCpuRatio();
    out.push({
      field: 'falco.cpu_usage_perc',
      fieldValue: Math.round(cpu * 1000) / 10,
      prom: 'falcosecurity_falco_cpu_usage_ratio',
      type: 'gauge',
      labels: {},
      value: cpu,
    });
    const memory = (name: string, bytes: number) =>
      out.push({
        field: `falco.${name}_${unit}`,
        fieldValue: mb(bytes),
        prom: `falcosecurity_falco_${name}_bytes`,
        type: 'gauge',
        labels: {},
        value: bytes,
      });
    memory('memory_rss', mem.rssBytes);
    memory('memory_vsz', mem.vszBytes);
    if (mem.pssBytes !== null) memory('memory_pss', mem.pssBytes);
    const hostMem = hostMemoryUsedBytes();
    if (hostMem !== null) memory('host_memory_used', hostMem);
    const running = hostProcsRunning();
    if (running !== null)
      add('falco.host_procs_running', 'falcosecurity_falco_host_procs_running_total', 'gauge', running);
    const fds = hostOpenFds();
    if (fds !== null) add('falco.host_open_fds', 'falcosecurity_falco_host_open_fds_total', 'gauge', fds);
  }

  if (cfg.stateCounters && c.threads !== undefined)
    add('falco.n_threads', 'falcosecurity_scap_n_threads_total', 'gauge', c.threads());

  const k = c.kernel?.();
  if ((cfg.kernelEventCounters || cfg.kernelEventCountersPerCpu) && k !== undefined) {
    add('scap.n_evts', 'falcosecurity_scap_n_evts_total', 'counter', k.events);
    add('scap.n_drops_buffer_total', 'falcosecurity_scap_n_drops_buffer_total', 'counter', k.dropsBuffer);
    add('scap.n_drops', 'falcosecurity_scap_n_drops_total', 'counter', k.drops);
    out.push({
      field: 'scap.n_drops_perc',
      fieldValue: k.events + k.drops > 0 ? Math.round((k.drops / (k.events + k.drops)) * 1000) / 10 : 0,
      prom: '',
      type: 'gauge',
      labels: {},
      value: 0,
    });
  }
  return out;
}

/** The output_fields of Falco's metrics snapshot (alert and output_file line). */
export function outputFields(
  id: RunIdentity,
  c: RunCounters,
  metrics: readonly Metric[],
): Record<string, string | number> {
  const f: Record<string, string | number> = {
    'evt.hostname': id.hostname,
    'evt.source': 'syscall',
    'evt.time': Number(BigInt(Date.now()) * 1000000n),
    'falco.version': id.version,
    'falco.kernel_release': id.kernelRelease,
    'scap.engine_name': c.engineName,
  };
  for (const [name, sha] of id.rulesSha) f[`falco.sha256_rules_file.${name.replace(/\./g, '_')}`] = sha;
  for (const [name, sha] of id.configSha) f[`falco.sha256_config_file.${name.replace(/\./g, '_')}`] = sha;
  for (const m of metrics) if (m.field !== null) f[m.field] = m.fieldValue ?? m.value;
  return Object.fromEntries(Object.entries(f).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
