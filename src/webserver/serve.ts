/**
 * The web server and the metrics snapshots of one run, started once its event source is
 * open (the trace opened, the probe attached) and stopped at its end: /healthz says "ok"
 * only while the source is open. Every metrics.interval a snapshot goes to
 * metrics.output_rule (Falco's internal alert) and metrics.output_file (a JSON line).
 */
import * as fs from 'node:fs';
import type { WebserverConfig } from '../config/webserver-config';
import type { MetricsConfig } from '../config/metrics-config';
import { internalAlert, type FalcoAlert } from '../alert/alert';
import { timeOfDay } from '../params/time';
import { InputError } from '../util/errors';
import type { RunCounters } from './run-counters';
import { collectMetrics, outputFields, runIdentity } from './metrics';
import { toPrometheusText } from './prometheus';
import { versionsInfo } from './versions';
import { FalcoWebServer } from './server';

export const METRICS_RULE = 'Falco internal: metrics snapshot';
const PRIORITY_INFORMATIONAL = 6;

export interface ServeConfig {
  webserver: WebserverConfig;
  metrics: MetricsConfig;
  /** the -c file (its sha256 is a metric), or null */
  configFile: string | null;
}

export interface ServeHooks {
  /** where the metrics alert goes (the run's outputs) */
  emit(alert: FalcoAlert): void;
  /** json_output */
  json: boolean;
  /** falco-ts's version (package.json) */
  version: string;
  /** one line for stderr (the listening address) */
  log(line: string): void;
}

export class Serving {
  private timer: NodeJS.Timeout | null = null;
  private samples = 0;
  private fd = -1;

  private constructor(
    private readonly server: FalcoWebServer | null,
    readonly port: number | null,
  ) {}

  /** Starts what the configuration asks for; null when it asks for neither server nor metrics. */
  static async start(cfg: ServeConfig, counters: RunCounters, hooks: ServeHooks): Promise<Serving | null> {
    const ws = cfg.webserver;
    const m = cfg.metrics;
    if (!ws.enabled && !m.enabled) return null;
    const { ENGINE_VERSION } = require('../rules/collector') as typeof import('../rules/collector');
    const version = hooks.version;
    const id = runIdentity(version, counters, cfg.configFile);
    let fd = -1;
    if (m.enabled && m.outputFile !== '') {
      try {
        fd = fs.openSync(m.outputFile, 'a', 0o600);
      } catch (e) {
        throw new InputError(`metrics.output_file ${m.outputFile}: ${(e as Error).message}`);
      }
    }
    let server: FalcoWebServer | null = null;
    if (ws.enabled) {
      server = await FalcoWebServer.start(ws, {
        versionsJson: JSON.stringify(versionsInfo(version, ENGINE_VERSION)),
        metricsText:
          ws.prometheusMetricsEnabled && m.enabled ? () => toPrometheusText(collectMetrics(id, counters, m)) : null,
      });
      hooks.log(
        `falco-ts: web server listening on ${ws.sslEnabled ? 'https' : 'http'}://${ws.listenAddress}:${server.port}\n`,
      );
    }
    const s = new Serving(server, server?.port ?? null);
    s.fd = fd;
    if (m.enabled && (m.outputRule || fd >= 0)) {
      s.timer = setInterval(() => s.snapshot(cfg.metrics, id, counters, hooks), m.intervalMs);
      s.timer.unref();
    }
    return s;
  }

  private snapshot(
    m: MetricsConfig,
    id: ReturnType<typeof runIdentity>,
    counters: RunCounters,
    hooks: ServeHooks,
  ): void {
    this.samples++;
    const fields = outputFields(id, counters, collectMetrics(id, counters, m));
    if (m.outputRule) {
      const ms = Date.now();
      hooks.emit(
        internalAlert({
          rule: METRICS_RULE,
          priority: PRIORITY_INFORMATIONAL,
          message: 'Falco metrics snapshot',
          fields,
          json: hooks.json,
          timeOfDay: timeOfDay(Math.floor(ms / 1000), (ms % 1000) * 1e6),
          timeNs: BigInt(ms) * 1000000n,
        }),
      );
    }
    if (this.fd >= 0) fs.writeSync(this.fd, JSON.stringify({ sample: this.samples, output_fields: fields }) + '\n');
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    if (this.server !== null) await this.server.close();
  }
}
