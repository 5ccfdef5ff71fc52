/**
 * Plugin rows of `npm run bench` (issue 19): events per second of a plugin source through rules,
 * against a count-only run of the same source (`replay -c CONFIG -q`: the plugin's own cost), so
 * the ratio is the engine's cost. Two sources: the built-in k8saudit plugin over Falco's audit
 * events repeated to BENCH_K8S_EVENTS (default 100,000) with the upstream k8s_audit_rules.yaml,
 * and the real dummy_c plugin (build/plugins, scripts/build-plugins.sh) with its rules file.
 * Also runnable alone: node dist/bench/plugins.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'falco-ts');
const SHARED = path.resolve(ROOT, '..', 'shared');
const K8S_EVENTS = Number(process.env.BENCH_K8S_EVENTS ?? 100_000);
const DUMMY_EVENTS = Number(process.env.BENCH_DUMMY_EVENTS ?? 200_000);

/** wall and CPU seconds of one run (stdout discarded) */
function timed(args: string[]): { secs: number; cpu: number; ok: boolean } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, BIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const [u, s] = (r.stderr.toString().trim().split('\n').pop() ?? '0 0').split(' ').map(Number);
  return { secs, cpu: u + s, ok: r.status === 0 };
}

/** Falco's audit events (one per line; EventList items flattened), repeated to n lines */
function makeAuditFile(file: string, n: number): void {
  const dir = path.join(SHARED, 'falco-tests', 'files', 'test', 'trace_files', 'k8s_audit');
  const events: string[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      let d: unknown;
      try {
        d = JSON.parse(line);
      } catch {
        continue;
      }
      const items =
        (d as { kind?: string; items?: unknown[] }).kind === 'EventList' ? (d as { items: unknown[] }).items : [d];
      for (const e of items)
        if (e !== null && typeof e === 'object' && (e as { kind?: string }).kind === 'Event')
          events.push(JSON.stringify(e));
    }
  }
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) out.push(events[i % events.length]);
  fs.writeFileSync(file, out.join('\n') + '\n', { mode: 0o600 });
}

function row(name: string, events: number, config: string, rulesArgs: string[]): string[] {
  let judged = { secs: Infinity, cpu: Infinity, ok: false };
  let counted = { secs: Infinity, cpu: Infinity, ok: false };
  // interleaved, best of 3 each (noise only slows a run down)
  for (let i = 0; i < 3; i++) {
    const c = timed(['replay', '-c', config, '-q']);
    if (c.secs < counted.secs) counted = c;
    const j = timed(['falco', '-c', config, '--disable-source=syscall', ...rulesArgs]);
    if (j.secs < judged.secs) judged = j;
  }
  const rate = (m: { secs: number; ok: boolean }) =>
    m.ok ? `${Math.round(events / m.secs).toLocaleString('en-US')} ev/s` : 'failed';
  return [
    name,
    `${rate(judged)} (${judged.cpu.toFixed(2)} CPU s)`,
    `${rate(counted)} (${counted.cpu.toFixed(2)} CPU s)`,
    judged.ok && counted.ok ? `${(judged.cpu / counted.cpu).toFixed(2)}x CPU` : '-',
  ];
}

export function runPluginBench(): void {
  const dir = path.join(os.tmpdir(), 'falco-ts-bench');
  fs.mkdirSync(dir, { recursive: true });
  const rows: string[][] = [['plugin row', 'through the rules', 'count-only source', 'engine cost']];

  const audit = path.join(dir, `k8s-audit-${K8S_EVENTS}.json`);
  if (!fs.existsSync(audit)) makeAuditFile(audit, K8S_EVENTS);
  const k8sConf = path.join(dir, 'k8s-audit.yaml');
  fs.writeFileSync(
    k8sConf,
    `plugins:\n  - name: k8saudit\n    library_path: builtin\n    open_params: ${JSON.stringify(audit)}\n` +
      `  - name: json\n    library_path: builtin\nload_plugins: [k8saudit, json]\n`,
  );
  rows.push(
    row(`k8saudit (built-in), ${K8S_EVENTS} events, k8s_audit_rules.yaml`, K8S_EVENTS, k8sConf, [
      '-r',
      path.join(SHARED, 'rules', 'k8s_audit_rules.yaml'),
    ]),
  );

  const dummy = path.join(ROOT, 'build', 'plugins', 'libdummy_c.so');
  if (fs.existsSync(dummy)) {
    const conf = path.join(dir, 'dummy_c.yaml');
    fs.writeFileSync(
      conf,
      `plugins:\n  - name: dummy_c\n    library_path: ${JSON.stringify(dummy)}\n    init_config: '{"jitter": 0}'\n` +
        `    open_params: '{"start": 1, "maxEvents": ${DUMMY_EVENTS}}'\nload_plugins: [dummy_c]\n`,
    );
    rows.push(
      row(`dummy_c (.so), ${DUMMY_EVENTS} events, dummy_c_rules.yaml`, DUMMY_EVENTS, conf, [
        '-r',
        path.join(SHARED, 'plugins', 'dummy_c', 'dummy_c_rules.yaml'),
      ]),
    );
  } else rows.push(['dummy_c', 'not built (sh scripts/build-plugins.sh)', '', '']);

  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

if (require.main === module) runPluginBench();
