/**
 * Prometheus' text exposition format (version 0.0.4) of a metrics snapshot: one HELP and
 * TYPE per family (Falco repeats them per series; the format allows them once), label
 * values escaped as the format says.
 */
import type { Metric } from './metrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4';
const HELP = 'https://falco.org/docs/metrics/';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
/** label names are [a-zA-Z_][a-zA-Z0-9_]*: a tag like "T1059.001" becomes tag_T1059_001 */
const labelName = (k: string): string => k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');

export function toPrometheusText(metrics: readonly Metric[]): string {
  const families = new Map<string, Metric[]>();
  for (const m of metrics) {
    if (m.prom === '') continue;
    const f = families.get(m.prom);
    if (f === undefined) families.set(m.prom, [m]);
    else f.push(m);
  }
  let s = '';
  for (const [name, series] of families) {
    s += `# HELP ${name} ${HELP}\n# TYPE ${name} ${series[0].type}\n`;
    for (const m of series) {
      const keys = Object.keys(m.labels).sort();
      const labels =
        keys.length === 0 ? '' : `{${keys.map((k) => `${labelName(k)}="${escapeLabel(m.labels[k])}"`).join(',')}}`;
      s += `${name}${labels} ${Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(6)}\n`;
    }
  }
  return s;
}
