/**
 * The end-of-run summary as cli-table3 tables: the run (events read/matched, duration,
 * events/s, drops), alerts by priority and by rule, and each output's counters. Losses are
 * highlighted so they are not missed.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { makeChalk, paintPriority } from '../format/colors';
import { formatDuration } from './progress';
import type { RunSummary } from './summary';
import { PRIORITY_NAMES } from '../alert/priority';

export interface SummaryTableOptions {
  color?: boolean;
  /** rules listed before "… N more" (default 20) */
  maxRules?: number;
}

function table(c: ChalkInstance, head: string[], align?: ('left' | 'right')[]): Table.Table {
  return new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    colAligns: align,
  });
}

const num = (n: number) => n.toLocaleString('en-US');

export function renderSummary(s: RunSummary, opts: SummaryTableOptions = {}): string {
  const c = makeChalk(opts.color === true);
  const parts: string[] = [];
  const secs = s.durationMs / 1000;
  const run = table(c, ['Run', ''], ['left', 'right']);
  if (s.source !== undefined) run.push(['source', s.source]);
  run.push(['events read', num(s.eventsRead)]);
  run.push(['events matched', num(s.eventsMatched)]);
  if (s.outputs !== undefined) run.push(['alerts', num(s.outputs.alerts.total)]);
  run.push(['duration', secs < 60 ? `${secs.toFixed(3)} s` : formatDuration(secs)]);
  run.push(['events/s', num(Math.round(s.eventsRead / Math.max(secs, 1e-3)))]);
  for (const d of s.drops) run.push([c.yellow(d.what), c.yellow(num(d.count))]);
  if (s.drops.length === 0) run.push(['drops', '0']);
  parts.push(run.toString());

  const o = s.outputs;
  if (o !== undefined && o.alerts.total > 0) {
    const pri = table(c, ['Priority', 'Alerts'], ['left', 'right']);
    for (const p of PRIORITY_NAMES) {
      const n = o.alerts.byPriority[p];
      if (n) pri.push([paintPriority(c, p), num(n)]);
    }
    parts.push(pri.toString());
    const rules = table(c, ['Rule', 'Alerts'], ['left', 'right']);
    const entries = Object.entries(o.alerts.byRule);
    const max = opts.maxRules ?? 20;
    for (const [r, n] of entries.slice(0, max)) rules.push([r, num(n)]);
    if (entries.length > max) {
      const rest = entries.slice(max).reduce((a, [, n]) => a + n, 0);
      rules.push([`… ${entries.length - max} more rules`, num(rest)]);
    }
    parts.push(rules.toString());
  }
  if (o !== undefined && o.outputs.length > 0) {
    const outs = table(
      c,
      ['Output', 'Sent', 'Retried', 'Failed', 'Dropped'],
      ['left', 'right', 'right', 'right', 'right'],
    );
    for (const r of o.outputs) {
      const bad = (n: number) => (n > 0 ? c.red.bold(num(n)) : '0');
      const row = [r.name, num(r.sent), num(r.retried), bad(r.failed), bad(r.dropped)];
      outs.push(row);
    }
    parts.push(outs.toString());
  }
  return parts.join('\n') + '\n';
}
