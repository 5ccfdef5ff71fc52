/**
 * Falco's web server and metrics (src/webserver/, src/config/webserver-config.ts and
 * metrics-config.ts): falco.yaml's webserver and metrics sections with Falco's defaults and
 * messages; /healthz, /versions and /metrics on a replay and live, read with curl and with
 * Node's fetch, the Prometheus text parsed by a real parser (parse-prometheus-text-format) and
 * checked against the metric names, types and labels of Falco's documentation; HTTPS with a
 * certificate openssl makes now; metrics.output_file and metrics.output_rule.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as yaml from 'yaml';
import { BIN, IN_CI, ROOT, SHARED, tmpDir, which } from './helpers/env';
import { nativeBuilt } from '../src/capture/native';
import { selfSignedCert } from './helpers/tls';

const C = require('../src/config/falco-config') as typeof import('../src/config/falco-config');
const M = require('../src/config/metrics-config') as typeof import('../src/config/metrics-config');
const parseProm = require('parse-prometheus-text-format') as (text: string) => {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}[];

const TMP = tmpDir('falco-ts-webserver-');
const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');
const RULES = path.join(SHARED, 'rules', 'falco_rules.yaml');
const SHIPPED = path.join(SHARED, 'falco', 'falco.yaml');

/**
 * Falco's documented metrics (falco-website content/en/docs/concepts/metrics/falco-metrics.md,
 * its Prometheus examples): name → type and label names. Two labels differ in Falco 0.44's
 * code (userspace/falco/falco_metrics.cpp), which we follow: engine_name_info also carries
 * evt_source (the page's separate falcosecurity_falco_evt_source_info is gone), and
 * rules_matches_total splits the page's `tags` label into one tag_<TAG>="true" per tag
 * (falco commit d77f7686, Falco 0.40).
 */
const DOC: Record<string, { type: string; labels: string[] }> = {
  falcosecurity_scap_engine_name_info: { type: 'gauge', labels: ['engine_name'] },
  falcosecurity_falco_version_info: { type: 'gauge', labels: ['version'] },
  falcosecurity_falco_kernel_release_info: { type: 'gauge', labels: ['kernel_release'] },
  falcosecurity_evt_hostname_info: { type: 'gauge', labels: ['hostname'] },
  falcosecurity_falco_sha256_rules_files_info: { type: 'gauge', labels: ['file_name', 'sha256'] },
  falcosecurity_falco_sha256_config_files_info: { type: 'gauge', labels: ['file_name', 'sha256'] },
  falcosecurity_falco_evt_source_info: { type: 'gauge', labels: ['evt_source'] },
  falcosecurity_falco_start_timestamp_nanoseconds: { type: 'gauge', labels: [] },
  falcosecurity_falco_host_boot_timestamp_nanoseconds: { type: 'gauge', labels: [] },
  falcosecurity_falco_host_num_cpus_total: { type: 'gauge', labels: [] },
  falcosecurity_falco_outputs_queue_num_drops_total: { type: 'counter', labels: [] },
  falcosecurity_falco_duration_seconds_total: { type: 'counter', labels: [] },
  falcosecurity_falco_rules_matches_total: { type: 'counter', labels: ['priority', 'rule_name', 'source', 'tags'] },
  falcosecurity_falco_cpu_usage_ratio: { type: 'gauge', labels: [] },
  falcosecurity_falco_memory_rss_bytes: { type: 'gauge', labels: [] },
  falcosecurity_falco_memory_vsz_bytes: { type: 'gauge', labels: [] },
  falcosecurity_falco_memory_pss_bytes: { type: 'gauge', labels: [] },
  falcosecurity_falco_container_memory_used_bytes: { type: 'gauge', labels: [] },
  falcosecurity_falco_host_cpu_usage_ratio: { type: 'gauge', labels: [] },
  falcosecurity_falco_host_memory_used_bytes: { type: 'gauge', labels: [] },
  falcosecurity_falco_host_procs_running_total: { type: 'gauge', labels: [] },
  falcosecurity_falco_host_open_fds_total: { type: 'gauge', labels: [] },
  falcosecurity_scap_n_threads_total: { type: 'gauge', labels: [] },
  falcosecurity_scap_n_fds_total: { type: 'gauge', labels: [] },
  falcosecurity_scap_n_containers_total: { type: 'gauge', labels: [] },
  falcosecurity_scap_n_evts_total: { type: 'counter', labels: [] },
  falcosecurity_scap_n_drops_buffer_total: { type: 'counter', labels: ['dir', 'drop'] },
  falcosecurity_scap_n_drops_scratch_map_total: { type: 'counter', labels: [] },
  falcosecurity_scap_n_drops_page_faults_total: { type: 'counter', labels: [] },
  falcosecurity_scap_n_drops_bug_total: { type: 'counter', labels: [] },
  falcosecurity_scap_n_drops_total: { type: 'counter', labels: [] },
  falcosecurity_scap_n_evts_cpu_total: { type: 'counter', labels: ['cpu'] },
  falcosecurity_scap_n_drops_cpu_total: { type: 'counter', labels: ['cpu'] },
};
/** the labels Falco 0.44 sets where they differ from the page (see above) */
const CODE_LABELS: Record<string, (l: string) => boolean> = {
  falcosecurity_scap_engine_name_info: (l) => l === 'engine_name' || l === 'evt_source',
  falcosecurity_falco_rules_matches_total: (l) =>
    ['priority', 'rule_name', 'source'].includes(l) || l.startsWith('tag_'),
  // our probe counts ring-full drops, not split by syscall kind: the family without dir/drop
  falcosecurity_scap_n_drops_buffer_total: () => false,
};

/** Falco's priority enum (falco_common::priority_type): the rules_matches_total priority label */
const PRIORITY_NUM: Record<string, number> = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  info: 6,
  debug: 7,
};

function conf(name: string, text: string): string {
  const p = path.join(TMP, name);
  fs.writeFileSync(p, text);
  return p;
}

const msg = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
};

test('config: the shipped falco.yaml gives Falco’s webserver and metrics settings', () => {
  const c = C.loadFalcoConfig(SHIPPED);
  assert.deepEqual(c.webserver, {
    enabled: true,
    threadiness: 0,
    listenPort: 8765,
    listenAddress: '0.0.0.0',
    healthzEndpoint: '/healthz',
    prometheusMetricsEnabled: false,
    sslEnabled: false,
    sslCertificate: '/etc/falco/falco.pem',
  });
  assert.equal(c.metrics.enabled, false);
  assert.equal(c.metrics.intervalMs, 3600000);
  assert.equal(c.metrics.outputRule, true);
  assert.equal(c.metrics.outputFile, '');
  assert.equal(c.metrics.kernelEventCountersPerCpu, false);
  assert.equal(c.metrics.includeEmptyValues, false);
  // -o sets them as Falco's -o does; without a file, Falco's code defaults (server off)
  const o = C.loadFalcoConfig(null, ['webserver.enabled=true', 'webserver.listen_port=9999', 'metrics.interval=15m']);
  assert.equal(o.webserver.enabled, true);
  assert.equal(o.webserver.listenPort, 9999);
  assert.equal(o.metrics.intervalMs, 900000);
  assert.equal(C.loadFalcoConfig(null, []).webserver.enabled, false);
  assert.ok(C.isConfigOption('webserver.enabled=false') && C.isConfigOption('metrics.enabled=true'));
});

test('config: the metrics interval reads Prometheus durations as Falco’s parse_prometheus_interval', () => {
  // the matrix of Falco's unit test (unit_tests/engine/test_falco_utils.cpp)
  const cases: [string, number][] = [
    ['1ms', 1],
    ['1s', 1000],
    ['1m', 60000],
    ['1h', 3600000],
    ['1d', 86400000],
    ['1w', 604800000],
    ['1y', 31536000000],
    ['300ms', 300],
    ['255s', 255000],
    ['5m', 300000],
    ['15m', 900000],
    ['30m', 1800000],
    ['60m', 3600000],
    ['1h3m2s1ms', 3600000 + 3 * 60000 + 2 * 1000 + 1],
    ['1y1w1d1h1m1s1ms', 31536000000 + 604800000 + 86400000 + 3600000 + 60000 + 1000 + 1],
    ['2h5m', 2 * 3600000 + 5 * 60000],
    ['2h 5m', 2 * 3600000 + 5 * 60000],
    ['1ms1y', 0],
    ['1t1y', 0],
    ['1t', 0],
    ['200', 0],
  ];
  for (const [s, ms] of cases) assert.equal(M.parsePrometheusInterval(s), ms, s);
});

test('config: bad webserver and metrics values are refused with Falco’s messages', () => {
  assert.match(
    msg(() => C.loadFalcoConfig(conf('bad-addr.yaml', 'webserver:\n  listen_address: 300.1.1.1\n'))),
    /^Error reading config file \(.*bad-addr\.yaml\): webserver listen address "300\.1\.1\.1" is not a valid IP address$/,
  );
  assert.match(
    msg(() => C.loadFalcoConfig(null, ['metrics.enabled=true', 'metrics.interval=50ms', 'metrics.output_rule=true'])),
    /Metrics interval must have a minimum value of 100ms and reflect a Prometheus compliant time duration format/,
  );
  assert.match(
    msg(() => C.loadFalcoConfig(null, ['metrics.enabled=true', 'metrics.interval=1t', 'metrics.output_rule=true'])),
    /Metrics interval must have a minimum value of 100ms/,
  );
  assert.match(
    msg(() => C.loadFalcoConfig(null, ['metrics.enabled=true', 'metrics.interval=1h'])),
    /^Error in the -o options: Metrics are enabled with no output configured\. Please enable at least one output channel \('metrics\.output_rule', 'metrics\.output_file' or 'webserver\.prometheus_metrics_enabled'\)$/,
  );
  assert.match(
    msg(() => C.loadFalcoConfig(null, ['webserver.enabled=maybe'])),
    /webserver\.enabled: expected true or false/,
  );
  assert.match(
    msg(() => C.loadFalcoConfig(null, ['webserver.listen_port=70000'])),
    /webserver\.listen_port: 70000/,
  );
  // one line and a non-zero exit from the command line
  const r = spawnSync(process.execPath, [BIN, 'replay', DEMO, '-o', 'webserver.listen_address=nowhere'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /webserver listen address "nowhere" is not a valid IP address/);
});

/** A running falco-ts with its server's base URL (from its "listening on" stderr line). */
interface Running {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
}

async function startServing(args: string[], hangMs = 60000): Promise<Running> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no "listening" line within ${hangMs} ms: ${err}`)), hangMs);
    proc.stderr.on('data', (d: string) => {
      err += d;
      const m = /web server listening on (https?):\/\/[^:]+:(\d+)/.exec(err);
      if (m !== null) {
        clearTimeout(guard);
        resolve(`${m[1]}://localhost:${m[2]}`);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(guard);
      reject(new Error(`exited (${code}) before listening: ${err}`));
    });
  });
  return { proc, url, stderr: () => err };
}

function stop(r: Running): Promise<void> {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    r.proc.once('exit', () => resolve());
    r.proc.kill('SIGKILL');
  });
}

function curl(url: string, extra: string[] = []): { status: number; body: string } {
  const r = spawnSync('curl', ['-sS', '--max-time', '30', ...extra, '-w', '\n%{http_code}', url], { encoding: 'utf8' });
  assert.equal(r.status, 0, `curl ${url}: ${r.stderr}`);
  const nl = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(nl + 1)), body: r.stdout.slice(0, nl) };
}

/** demo.scap (~0.1 s of replay) given many times: a replay that stays open while the test asks */
const LONG_REPLAY = Array.from({ length: 20000 }, () => DEMO);

const serverOpts = (port = 0): string[] => [
  '-o',
  'webserver.enabled=true',
  '-o',
  `webserver.listen_port=${port}`,
  '-o',
  'webserver.listen_address=127.0.0.1',
  '-o',
  'webserver.prometheus_metrics_enabled=true',
  '-o',
  'metrics.enabled=true',
  '-o',
  'metrics.interval=1h',
  '-o',
  'metrics.include_empty_values=false',
];

/** The documented families, types and labels of a /metrics text; returns the parsed families. */
function checkAgainstDoc(
  text: string,
): Map<string, { type: string; metrics: { value: string; labels?: Record<string, string> }[] }> {
  const fams = new Map(parseProm(text).map((f) => [f.name, f]));
  assert.ok(fams.size > 0, 'no metric families');
  for (const [name, f] of fams) {
    const doc = DOC[name];
    assert.ok(doc !== undefined, `${name} is not in Falco's documented metrics`);
    assert.equal(f.type.toLowerCase(), doc.type, `${name}: type`);
    for (const m of f.metrics)
      for (const l of Object.keys(m.labels ?? {}))
        assert.ok((CODE_LABELS[name] ?? ((x: string) => doc.labels.includes(x)))(l), `${name}: label ${l}`);
  }
  return fams;
}

test('replay: /healthz, /versions and /metrics while the trace is read (curl, fetch, a Prometheus parser)', async (t) => {
  if (which('curl') === null) {
    if (IN_CI) throw new Error('curl is needed in CI');
    t.skip('curl is not installed');
    return;
  }
  const cfg = conf('replay.yaml', 'webserver:\n  k8s_healthz_endpoint: /custom-healthz\n');
  const run = await startServing(['replay', ...LONG_REPLAY, '-r', RULES, '-c', cfg, ...serverOpts()]);
  try {
    const h = curl(`${run.url}/custom-healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(JSON.parse(h.body), { status: 'ok' });
    assert.equal(curl(`${run.url}/healthz`).status, 404); // the path is the configured one
    const v = JSON.parse(curl(`${run.url}/versions`).body) as Record<string, unknown>;
    // Falco's versions_info keys (userspace/falco/versions_info.cpp)
    assert.deepEqual(Object.keys(v).sort(), [
      'default_driver_version',
      'driver_api_version',
      'driver_schema_version',
      'engine_version',
      'engine_version_semver',
      'falco_version',
      'libs_version',
      'plugin_api_version',
      'plugin_versions',
    ]);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(v.falco_version, pkg.version);
    assert.match(String(v.engine_version_semver), /^0\.\d+\.\d+$/);

    const res = await fetch(`${run.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4');
    const fams = checkAgainstDoc(await res.text());
    for (const name of [
      'falcosecurity_falco_version_info',
      'falcosecurity_scap_engine_name_info',
      'falcosecurity_falco_start_timestamp_nanoseconds',
      'falcosecurity_falco_host_num_cpus_total',
      'falcosecurity_falco_outputs_queue_num_drops_total',
      'falcosecurity_falco_duration_seconds_total',
      'falcosecurity_falco_cpu_usage_ratio',
      'falcosecurity_falco_memory_rss_bytes',
      'falcosecurity_falco_memory_vsz_bytes',
      'falcosecurity_falco_sha256_rules_files_info',
      'falcosecurity_falco_sha256_config_files_info',
    ])
      assert.ok(fams.has(name), `missing ${name}`);
    assert.equal(fams.get('falcosecurity_scap_engine_name_info')!.metrics[0].labels!.engine_name, 'savefile');
    assert.equal(fams.get('falcosecurity_falco_version_info')!.metrics[0].labels!.version, pkg.version);
    assert.ok(!fams.has('falcosecurity_scap_n_evts_total'), 'a trace has no kernel counters');
    const rss = Number(fams.get('falcosecurity_falco_memory_rss_bytes')!.metrics[0].value);
    assert.ok(rss > 10e6 && rss < 10e9, `rss ${rss}`);
    const sha = spawnSync('sha256sum', [RULES], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.deepEqual(fams.get('falcosecurity_falco_sha256_rules_files_info')!.metrics[0].labels, {
      file_name: 'falco_rules.yaml',
      sha256: sha,
    });

    // rules matched, per rule: the labels are the rule's priority, source and tags in the YAML;
    // scraped until the replay has matched some (a hang guard, not a timing assertion)
    let matches = fams.get('falcosecurity_falco_rules_matches_total');
    for (let i = 0; matches === undefined && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      matches = checkAgainstDoc(curl(`${run.url}/metrics`).body).get('falcosecurity_falco_rules_matches_total');
    }
    assert.ok(matches !== undefined, 'no rules_matches_total after 60 s');
    const rules = new Map(
      (yaml.parse(fs.readFileSync(RULES, 'utf8')) as Record<string, unknown>[])
        .filter((x) => 'rule' in x)
        .map((x) => [String(x.rule), x]),
    );
    for (const m of matches.metrics) {
      const l = m.labels!;
      const r = rules.get(l.rule_name);
      assert.ok(r !== undefined, `unknown rule ${l.rule_name}`);
      assert.equal(Number(l.priority), PRIORITY_NUM[String(r.priority).toLowerCase()], l.rule_name);
      assert.equal(l.source, 'syscall');
      const tags = Object.keys(l)
        .filter((k) => k.startsWith('tag_'))
        .map((k) => k.slice(4))
        .sort();
      assert.deepEqual(tags, [...(r.tags as string[])].map((x) => x.replace(/[^a-zA-Z0-9_]/g, '_')).sort());
      assert.ok(Number(m.value) > 0);
    }
    // counters only grow
    const again = checkAgainstDoc(curl(`${run.url}/metrics`).body).get('falcosecurity_falco_rules_matches_total')!;
    for (const m of matches.metrics) {
      const later = again.metrics.find((x) => x.labels!.rule_name === m.labels!.rule_name);
      assert.ok(later !== undefined && Number(later.value) >= Number(m.value));
    }
  } finally {
    await stop(run);
  }
});

test('replay: HTTPS with the key and certificate in one PEM file, as Falco’s falco.pem', async (t) => {
  if (which('openssl') === null || which('curl') === null) {
    if (IN_CI) throw new Error('openssl and curl are needed in CI (scripts/setup.sh)');
    t.skip('openssl or curl is not installed');
    return;
  }
  const made = selfSignedCert(TMP, 'localhost', 'DNS:localhost');
  assert.ok(made !== null, 'openssl could not make a certificate');
  const { key, cert } = made;
  const pem = path.join(TMP, 'falco.pem');
  fs.writeFileSync(pem, fs.readFileSync(key, 'utf8') + fs.readFileSync(cert, 'utf8'), { mode: 0o600 });
  const run = await startServing([
    'replay',
    ...LONG_REPLAY,
    ...serverOpts(),
    '-o',
    'webserver.ssl_enabled=true',
    '-o',
    `webserver.ssl_certificate=${pem}`,
  ]);
  try {
    assert.match(run.url, /^https:/);
    const h = curl(`${run.url}/healthz`, ['--cacert', cert]);
    assert.equal(h.status, 200);
    assert.deepEqual(JSON.parse(h.body), { status: 'ok' });
    checkAgainstDoc(curl(`${run.url}/metrics`, ['--cacert', cert]).body);
    // plain HTTP on the TLS port is refused
    const plain = spawnSync('curl', ['-sS', '--max-time', '30', run.url.replace('https:', 'http:') + '/healthz']);
    assert.notEqual(plain.status, 0);
  } finally {
    await stop(run);
  }
  // a file without a key is one line, not a stack trace
  const bad = spawnSync(
    process.execPath,
    [
      BIN,
      'replay',
      DEMO,
      ...serverOpts(),
      '-o',
      'webserver.ssl_enabled=true',
      '-o',
      `webserver.ssl_certificate=${cert}`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(
    bad.stderr,
    /^falco-ts: webserver\.ssl_certificate .*cert\.pem: not a PEM file with a private key and a certificate/,
  );
});

test('metrics.output_file and metrics.output_rule: Falco’s snapshot every interval', async () => {
  const file = path.join(TMP, 'metrics.jsonl');
  // the alerts go to an HTTP receiver, so each arrives when it is sent (no buffering to wait for)
  const got: Record<string, unknown>[] = [];
  let wake: () => void = () => undefined;
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body) as Record<string, unknown>);
      res.end();
      wake();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const run = await startServing([
    'replay',
    ...LONG_REPLAY,
    '-r',
    RULES,
    '--output',
    `http://127.0.0.1:${port}/`,
    ...serverOpts(),
    '-o',
    'metrics.interval=200ms',
    '-o',
    'metrics.output_rule=true',
    '-o',
    'json_output=true', // Falco's handle_msg: the message alone is the JSON output
    '-o',
    `metrics.output_file=${file}`,
  ]);
  try {
    const guard = Date.now() + 60000;
    const snapshot = () => got.find((a) => a.rule === 'Falco internal: metrics snapshot');
    while (snapshot() === undefined && Date.now() < guard)
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 500);
      });
    const a = snapshot();
    assert.ok(a !== undefined, 'no metrics snapshot alert within 60 s');
    assert.equal(a.priority, 'Informational');
    assert.equal(a.source, 'internal');
    assert.equal(a.output, 'Falco metrics snapshot');
    const f = a.output_fields as Record<string, unknown>;
    for (const k of [
      'evt.hostname',
      'evt.source',
      'falco.version',
      'falco.num_evts',
      'falco.duration_sec',
      'scap.engine_name',
      'falco.outputs_queue_num_drops',
      'falco.memory_rss_mb',
    ])
      assert.ok(k in f, `output_fields lacks ${k}`);
    assert.equal(f['scap.engine_name'], 'savefile');
    assert.equal(typeof f['falco.num_evts'], 'number');

    while (!(fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('\n')) && Date.now() < guard)
      await new Promise((r) => setTimeout(r, 100));
    const first = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]) as Record<string, unknown>;
    assert.equal(first.sample, 1);
    assert.equal((first.output_fields as Record<string, unknown>)['falco.version'], f['falco.version']);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  } finally {
    await stop(run);
    receiver.close();
  }
});

function liveSkipReason(): string | null {
  const why = ((): string | null => {
    if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return 'not root';
    if (!nativeBuilt()) return 'the native probe is not built (npm run build)';
    if (which('curl') === null) return 'curl is not installed';
    return null;
  })();
  if (why !== null && IN_CI) throw new Error(`live web server tests must run in CI: ${why}`);
  return why;
}

test('live: /healthz once the probe is attached; /metrics carries the probe’s event and drop counters', async (t) => {
  const skip = liveSkipReason();
  if (skip !== null) {
    t.skip(skip);
    return;
  }
  const run = await startServing(['-r', RULES, ...serverOpts()], 120000);
  try {
    // the server starts after the "probe attached" line
    assert.match(run.stderr(), /probe attached[\s\S]*web server listening/);
    assert.deepEqual(JSON.parse(curl(`${run.url}/healthz`).body), { status: 'ok' });
    assert.ok('falco_version' in (JSON.parse(curl(`${run.url}/versions`).body) as object));
    let fams = checkAgainstDoc(curl(`${run.url}/metrics`).body);
    // curl itself makes syscalls the probe sees: scraped until the counter moved (hang guard)
    for (let i = 0; i < 300 && Number(fams.get('falcosecurity_scap_n_evts_total')?.metrics[0].value ?? 0) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      fams = checkAgainstDoc(curl(`${run.url}/metrics`).body);
    }
    assert.ok(Number(fams.get('falcosecurity_scap_n_evts_total')!.metrics[0].value) > 0);
    assert.equal(fams.get('falcosecurity_scap_engine_name_info')!.metrics[0].labels!.engine_name, 'modern_bpf');
    for (const n of [
      'falcosecurity_scap_n_drops_total',
      'falcosecurity_scap_n_drops_buffer_total',
      'falcosecurity_scap_n_threads_total',
    ])
      assert.ok(fams.has(n), `missing ${n}`);
    assert.ok(Number(fams.get('falcosecurity_scap_n_threads_total')!.metrics[0].value) > 1, 'the /proc snapshot');
  } finally {
    await stop(run);
  }
});

test('replay: the server changes no alert and ends with the trace; -o webserver.enabled=false turns Falco’s shipped one off', () => {
  const run = (extra: string[]) =>
    spawnSync(process.execPath, [BIN, 'replay', DEMO, '-r', RULES, '-j', ...extra], {
      encoding: 'utf8',
      timeout: 120000,
    });
  const plain = run([]);
  assert.equal(plain.status, 0, plain.stderr);
  const served = run(serverOpts());
  assert.equal(served.status, 0, served.stderr);
  assert.match(served.stderr, /web server listening on http:\/\/127\.0\.0\.1:\d+/);
  const alerts = (s: string) => s.split('\n').filter((l) => l.startsWith('{'));
  assert.ok(alerts(plain.stdout).length > 0);
  assert.deepEqual(alerts(served.stdout), alerts(plain.stdout));
  // the shipped falco.yaml enables the server on 0.0.0.0:8765; -o turns it off, as with Falco
  const off = spawnSync(
    process.execPath,
    [BIN, 'replay', DEMO, '-r', RULES, '-c', SHIPPED, '-o', 'webserver.enabled=false', '--output', 'stdout'],
    { encoding: 'utf8', timeout: 120000 },
  );
  assert.equal(off.status, 0, off.stderr);
  assert.doesNotMatch(off.stderr, /web server listening/);
});
