/**
 * falco.yaml as a drop-in (issue #18): Falco 0.44's shipped falco.yaml (../shared/falco)
 * loads with no warning about a key falco-ts implements; every -o form of Falco's yaml_helper
 * (dotted keys, indices, `[]` appends, `{...}` values, backslash escapes), `${VAR}` and
 * `config_files` as Falco's unit tests (unit_tests/falco/test_configuration*.cpp) expect;
 * `rules:` selection judged by Falco's own regression expectations (falco_tests.yaml's
 * disabled_tags_* / run_tags_* detect counts, -T/-t expressed as Falco 0.44's `rules[]`
 * entries); append_output and static_fields seen in the alerts of a replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import * as https from 'node:https';
import type * as net from 'node:net';
import * as zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import * as env from './helpers/env';
import { sleep, until } from './helpers/output-fixtures';
import { selfSignedCert } from './helpers/tls';

const C = require('../src/config/falco-config') as typeof import('../src/config/falco-config');
const D = require('../src/config/config-document') as typeof import('../src/config/config-document');
const K = require('../src/config/config-keys') as typeof import('../src/config/config-keys');
const P = require('../src/config/config-path') as typeof import('../src/config/config-path');

const { BIN, SHARED, inputSkipReason, liveSkipReason, runCli, runCliAsync, sharedSkipReason, tmpDir, which } = env;

const SHIPPED = path.join(SHARED, 'falco', 'falco.yaml');
const TESTS = path.join(SHARED, 'falco-tests');
const T_RULES = path.join(TESTS, 'files', 'test', 'rules');
const SCAP = path.join(SHARED, 'scap');
const SKIP = sharedSkipReason() ?? inputSkipReason(SHIPPED) ?? undefined;
const TMP = tmpDir('falco-ts-dropin-');
const text = (b: Buffer): string => b.toString('utf8');
const fail = (msg: string): never => {
  throw new Error(msg);
};

function file(name: string, content: string): string {
  const p = path.join(TMP, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

test(
  'shipped falco.yaml: every key is in the table; warnings only for keys falco-ts does not implement',
  { skip: SKIP },
  () => {
    const doc = YAML.parse(fs.readFileSync(SHIPPED, 'utf8')) as Record<string, unknown>;
    assert.equal(K.unknownKey(doc), null, 'Falco 0.44 ships no key outside the table');
    const c = C.loadFalcoConfig(SHIPPED, ['webserver.enabled=false']);
    assert.deepEqual(c.warnings, [], 'no warning: every key the shipped file sets to what we do not honour');
    // what it says is acted on
    assert.equal(c.engine.kind, 'modern_ebpf');
    assert.deepEqual(c.outputs, ['stdout', 'syslog']);
    assert.ok(c.overrides.includes('suggested_output=true'));
    assert.ok(c.overrides.includes('priority=debug'));
    assert.equal(c.metrics.outputRule, true);
    assert.equal(c.metrics.intervalMs, 3600000);
    assert.deepEqual([...c.drops!.actions], ['log', 'alert']);
    assert.equal(c.bufferedOutputs, false);
    assert.equal(c.outputsQueueCapacity, 0);
    assert.deepEqual(c.rulesSelection, []);
    assert.deepEqual(c.appendOutput, []); // (the suggested_output entry is the override above)
    // a value we do not honour is one warning naming the key and what is not done
    const w = C.loadFalcoConfig(SHIPPED, ['engine.modern_ebpf.buf_size_preset=6']).warnings;
    assert.equal(w.length, 1);
    assert.match(
      w[0],
      /^configuration key 'engine\.modern_ebpf\.buf_size_preset' is not supported by falco-ts \(.*ring buffers\); its value '6' is ignored$/,
    );
  },
);

test('shipped falco.yaml through falco-ts falco: a replay, nothing logged', { skip: SKIP }, () => {
  const r = runCli([
    'falco',
    '-c',
    SHIPPED,
    '-r',
    path.join(T_RULES, 'single_rule.yaml'),
    '-o',
    'webserver.enabled=false',
    '-o',
    'syslog_output.enabled=false',
    '-o',
    'log_syslog=false',
    '-o',
    'engine.kind=replay',
    '-o',
    `engine.replay.capture_file=${path.join(SCAP, 'falco_cat_write.scap')}`,
  ]);
  assert.equal(r.status, 0, text(r.stderr));
  // (the logger's lines; the rest of stderr is the drop monitoring summary Falco prints at the end)
  const logged = text(r.stderr)
    .split('\n')
    .filter((l) => /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /.test(l));
  assert.deepEqual(logged, []);
  assert.match(text(r.stdout), /Warning An open was seen/);
});

test("unknown keys: Falco's schema warning, once per file; -o of an unknown key is accepted", () => {
  const inc = file('unknown/inc.yaml', 'webserver:\n  bogus: 1\n');
  const main = file('unknown/main.yaml', `config_files: [${inc}]\nfoo: 1\nbar: 2\n`);
  const c = C.loadFalcoConfig(main, ['not_a_falco_key=1']);
  assert.deepEqual(c.warnings, [
    `${main} | schema validation: failed for <root>: Object contains a property that could not be validated using 'properties' or 'additionalProperties' constraints: 'foo'.`,
    `${inc} | schema validation: failed for <root>[webserver]: Object contains a property that could not be validated using 'properties' or 'additionalProperties' constraints: 'bogus'.`,
  ]);
  // the keys the issue found fatal are plain settings now
  const o = C.loadFalcoConfig(null, ['webserver.enabled=false', 'buffered_outputs=false', 'engine.kind=modern_ebpf']);
  assert.equal(o.engine.kind, 'modern_ebpf');
  assert.equal(o.webserver.enabled, false);
  assert.deepEqual(o.warnings, []);
});

test('-o: dotted keys, indices, [] appends, {..} values, as Falco', { skip: SKIP }, () => {
  // plugins[0].name=x changes the shipped entry in place
  const d = D.loadConfigDocument(
    SHIPPED,
    ['plugins[0].name=x', 'plugins[1].name=y', 'plugins[1].library_path=liby.so'],
    fail,
  ).root;
  assert.deepEqual(d.plugins, [
    { name: 'x', library_path: 'libcontainer.so', init_config: { label_max_len: 100, with_size: false } },
    { name: 'y', library_path: 'liby.so' },
  ]);
  // ConfigurationRuleSelection.cli_options and cli_options_object
  for (const opts of [
    ['rules[].disable.tag=maturity_incubating', 'rules[].enable.rule=Adding ssh keys to authorized_keys'],
    [
      'rules[]={"disable": {"tag": "maturity_incubating"}}',
      'rules[]={"enable": {"rule": "Adding ssh keys to authorized_keys"}}',
    ],
  ])
    assert.deepEqual(C.loadFalcoConfig(null, opts).rulesSelection, [
      { enable: false, rule: '', tag: 'maturity_incubating' },
      { enable: true, rule: 'Adding ssh keys to authorized_keys', tag: '' },
    ]);
  // a value is a YAML scalar: typed where read
  const c = C.loadFalcoConfig(null, [
    'webserver.listen_port=9000',
    'metrics.enabled=true',
    'metrics.interval=2m',
    'metrics.output_rule=true',
  ]);
  assert.equal(c.webserver.listenPort, 9000);
  assert.equal(c.metrics.intervalMs, 120000);
  // a map value for a whole section
  assert.equal(C.loadFalcoConfig(null, ['engine={"kind": "nodriver"}']).engine.kind, 'nodriver');
  // Configuration.escaped_keys_read / _write
  const e: Record<string, unknown> = YAML.parse(
    'annotations:\n  kubernetes.io/role: master\n  example[0]: bracket_val\nnested:\n  level1.with.dots:\n    inner: value\nescape_test:\n  back\\slash: bslash_val\n',
  ) as Record<string, unknown>;
  P.setConfigPath(e, 'annotations.kubernetes\\.io/role', 'worker');
  P.setConfigPath(e, 'annotations.example\\[0\\]', 'b2');
  P.setConfigPath(e, 'nested.level1\\.with\\.dots.inner', 'v2');
  P.setConfigPath(e, 'escape_test.back\\\\slash', 's2');
  assert.deepEqual(e, {
    annotations: { 'kubernetes.io/role': 'worker', 'example[0]': 'b2' },
    nested: { 'level1.with.dots': { inner: 'v2' } },
    escape_test: { 'back\\slash': 's2' },
  });
  // Configuration.escaped_keys_errors, and the parser's other refusals
  for (const [key, msg] of [
    ['annotations\\', 'trailing backslash at pos 11'],
    ['annotations\\x', "invalid escape sequence '\\x' at pos 11"],
    ['a[0]b', "expected '.' character at pos 3"],
    ['a..b', 'unexpected character at pos 2'],
    ['a[x]', "expected a numeric index, found 'x'"],
  ])
    assert.throws(() => C.loadFalcoConfig(null, [`${key}=1`]), {
      message: `Error in the -o options: Config error at key "${key}": Parsing error: ${msg}`,
    });
  assert.throws(() => C.loadFalcoConfig(null, ['novalue']), {
    message:
      'Error in the -o options: Error parsing config option "novalue". Must be of the form key=val or key.subkey=val',
  });
  assert.throws(
    () => C.loadFalcoConfig(null, ['log_level=info', 'log_level.x=1']),
    /Config error at key "log_level\.x": the node is a scalar/,
  );
});

test('${VAR}: environment expansion as yaml_helper::pre_process_env_vars', () => {
  const env = { ENV_VAR: 'envVarValue', ENV_VAR_EMBEDDED: '${ENV_VAR}', ENV_VAR_EMPTY: '' };
  // Configuration.configuration_environment_variables
  const cases: [string, string][] = [
    ['$ENV_VAR', '$ENV_VAR'],
    ['${ENV_VAR}', 'envVarValue'],
    ['my_string', 'my_string'],
    ['$${ENV_VAR}', '${ENV_VAR}'],
    ['$$ENV_VAR', '$$ENV_VAR'],
    ['$${ENV_VAR}$${ENV_VAR}', '${ENV_VAR}${ENV_VAR}'],
    ['$${${ENV_VAR}}', '${envVarValue}'],
    ['$${ENV_VAR}${ENV_VAR}', '${ENV_VAR}envVarValue'],
    ['${UNSED_XX_X_X_VAR}', ''],
    [' ${ENV_VAR}', ' envVarValue'],
    ['${ENV_VAR} ', 'envVarValue '],
    ['/${ENV_VAR}/${ENV_VAR}${ENV_VAR}/foo', '/envVarValue/envVarValueenvVarValue/foo'],
    ['${ENV_VAR_EMBEDDED}/foo', 'envVarValue/foo'],
    ['${ENV_VAR_EMPTY}', ''],
    ['${NO_CLOSE', '${NO_CLOSE'],
  ];
  for (const [v, want] of cases) assert.equal(D.expandEnv(v, env), want, v);
  // through a file: scalars of every depth, quoted or not; an empty value is the key's default
  process.env.FALCO_TS_DROPIN_PORT = '8123';
  process.env.FALCO_TS_DROPIN_EMPTY = '';
  const f = file(
    'env.yaml',
    'webserver:\n  listen_port: ${FALCO_TS_DROPIN_PORT}\n  enabled: "${FALCO_TS_DROPIN_EMPTY}"\nstatic_fields:\n  port: "p=${FALCO_TS_DROPIN_PORT}"\n',
  );
  const c = C.loadFalcoConfig(f);
  assert.equal(c.webserver.listenPort, 8123);
  assert.equal(c.webserver.enabled, false);
  assert.deepEqual(c.staticFields, { port: 'p=8123' });
  // -o values are taken as they are
  assert.deepEqual(C.loadFalcoConfig(null, ['static_fields.x=${FALCO_TS_DROPIN_PORT}']).staticFields, {
    x: '${FALCO_TS_DROPIN_PORT}',
  });
});

test('config_files: files and directories, append / override / add-only, as Falco', () => {
  const dir = path.join(TMP, 'conf.d');
  file('conf.d/b.yaml', 'rules_files: [/b]\nlog_level: debug\n');
  file('conf.d/a.yaml', 'rules_files: [/a]\nlog_level: notice\n');
  const over = file('over.yaml', 'rules_files: [/o]\njson_output: true\n');
  const add = file('add.yaml', 'rules_files: [/x]\nlog_level: error\npriority: error\n');
  const main = file(
    'main.yaml',
    `config_files:\n  - ${dir}\n  - ${path.join(TMP, 'absent.yaml')}\n  - path: ${add}\n    strategy: add-only\nrules_files: [/main]\nlog_level: info\n`,
  );
  const d = D.loadConfigDocument(main, [], fail);
  // the directory's files in name order, appended; a missing entry skipped; add-only adds only
  assert.deepEqual(d.root.rules_files, ['/main', '/a', '/b']);
  assert.equal(d.root.log_level, 'debug');
  assert.equal(d.root.priority, 'error');
  assert.deepEqual(
    d.files.map((f) => path.basename(f.file)),
    ['main.yaml', 'a.yaml', 'b.yaml', 'add.yaml'],
  );
  // -o config_files counts before the merge; override replaces lists too; -o wins over all
  const o = D.loadConfigDocument(
    main,
    [`config_files[]={"path": "${over}", "strategy": "override"}`, 'log_level=warning'],
    fail,
  );
  assert.deepEqual(o.root.rules_files, ['/o']);
  assert.equal(o.root.json_output, true);
  assert.equal(o.root.log_level, 'warning');
  // what Falco refuses
  const nested = file('nested.yaml', 'config_files: [/x]\n');
  assert.throws(() => C.loadFalcoConfig(file('m2.yaml', `config_files: [${nested}]\n`)), {
    message: `Error reading config file (${path.join(TMP, 'm2.yaml')}): Config error: 'config_files' directive in included config file ${nested}.`,
  });
  const self = path.join(TMP, 'self.yaml');
  file('self.yaml', `config_files: [${self}]\n`);
  assert.throws(
    () => C.loadFalcoConfig(self),
    /'config_files' directive tried to recursively include main config file/,
  );
  const bad = file('conf.bad/x.yaml', 'a: [1\n');
  assert.throws(
    () => C.loadFalcoConfig(file('m3.yaml', `config_files: [${path.dirname(bad)}]\n`)),
    new RegExp(`\\): ${bad}: line 2, column 1: `),
  );
});

test('rules and append_output entries: decoded as Falco, bad ones refused', () => {
  // ConfigurationRuleSelection.parse_yaml
  const f = file(
    'sel.yaml',
    "rules:\n  - enable:\n      rule: 'Terminal Shell in Container'\n  - disable:\n      tag: experimental\n  - enable:\n      rule: 'hello*'\n",
  );
  assert.deepEqual(C.loadFalcoConfig(f).rulesSelection, [
    { enable: true, rule: 'Terminal Shell in Container', tag: '' },
    { enable: false, rule: '', tag: 'experimental' },
    { enable: true, rule: 'hello*', tag: '' },
  ]);
  for (const bad of ['rules[0]=x', 'rules[].enable.x=1', 'rules[]={"neither": {"rule": "a"}}'])
    assert.throws(() => C.loadFalcoConfig(null, [bad]), /rules\[0\]: expected/);
  const a = C.loadFalcoConfig(null, ['append_output[]={"match": {"rule": "r", "tags": ["t1"]}, "extra_output": "x"}']);
  assert.equal(a.appendOutput.length, 1);
  assert.match(a.warnings[0], /^An append_ouptut entry specifies both a rule \(r\) and a list of tags \(t1\)/);
  assert.throws(
    () => C.loadFalcoConfig(null, ['append_output[]={"extra_fields": [{"a": "x"}, {"a": "y"}]}']),
    /'a' is defined twice/,
  );
});

interface FalcoTest {
  rules_file: string[];
  trace_file: string;
  disable_tags?: string[];
  run_tags?: string[];
  detect_counts?: Record<string, number>[];
}

/** Falco's regression tests of -T / -t: the same selections as falco.yaml `rules` entries */
const TAG_TESTS = (() => {
  const f = path.join(TESTS, 'falco_tests.yaml');
  if (!fs.existsSync(f)) return [];
  const doc = YAML.parse(fs.readFileSync(f, 'utf8'), { logLevel: 'silent' }) as {
    trace_files: Record<string, FalcoTest>;
  };
  return Object.entries(doc.trace_files).filter(([n]) => /^(disabled_tags|run_tags)_/.test(n));
})();

function replayCounts(cfg: string, rules: string[], capture: string, opts: string[] = []): Record<string, number> {
  const r = runCli([
    'falco',
    '-c',
    cfg,
    ...rules.flatMap((x) => ['-r', x]),
    '-o',
    'engine.kind=replay',
    '-o',
    `engine.replay.capture_file=${capture}`,
    '-o',
    'json_output=true',
    ...opts.flatMap((x) => ['-o', x]),
  ]);
  assert.equal(r.status, 0, text(r.stderr));
  const counts: Record<string, number> = {};
  for (const l of text(r.stdout).split('\n').filter(Boolean)) {
    const rule = (JSON.parse(l) as { rule: string }).rule;
    counts[rule] = (counts[rule] ?? 0) + 1;
  }
  return counts;
}

const STDOUT_CONF = file('stdout.yaml', 'stdout_output:\n  enabled: true\n');

test("rules selection: Falco's disabled_tags_* and run_tags_* detect counts", { skip: SKIP }, () => {
  assert.ok(TAG_TESTS.length >= 10, `${TAG_TESTS.length} tag tests`);
  for (const [name, t] of TAG_TESTS) {
    // -T x is `disable: {tag: x}`; -t x is everything disabled, then `enable: {tag: x}`
    const sel = t.disable_tags
      ? t.disable_tags.map((x) => `rules[].disable.tag=${x}`)
      : ['rules[].disable.rule=*', ...t.run_tags!.map((x) => `rules[].enable.tag=${x}`)];
    const rules = t.rules_file.map((f) => path.join(TESTS, 'files', 'test', f));
    const capture = path.join(SCAP, 'falco_' + path.basename(t.trace_file));
    const got = replayCounts(STDOUT_CONF, rules, capture, sel);
    for (const dc of t.detect_counts!)
      for (const [rule, n] of Object.entries(dc)) assert.equal(got[rule] ?? 0, n, `${name}: ${rule}`);
  }
});

test('rules selection: enable a rule its file disables, disable by wildcard, in order', { skip: SKIP }, () => {
  const cat = path.join(SCAP, 'falco_cat_write.scap');
  const off = [path.join(T_RULES, 'disabled_rule_using_enabled_flag_only.yaml')];
  assert.deepEqual(replayCounts(STDOUT_CONF, off, cat), {});
  // Falco's enabled_rule_using_false_enabled_flag_only: the same rule enabled detects
  const on = replayCounts(file('enable.yaml', 'rules:\n  - enable:\n      rule: open_from_*\n'), off, cat);
  const want = replayCounts(STDOUT_CONF, [path.join(T_RULES, 'enabled_rule_using_enabled_flag_only.yaml')], cat);
  assert.ok((want.open_from_cat ?? 0) > 0);
  assert.deepEqual(on, want);
  // later entries win; a wildcard is Falco's (a whole-name match, `*` any run)
  const single = [path.join(T_RULES, 'single_rule.yaml')];
  assert.ok((replayCounts(STDOUT_CONF, single, cat).open_from_cat ?? 0) > 0);
  assert.deepEqual(replayCounts(STDOUT_CONF, single, cat, ['rules[].disable.rule=open_*']), {});
  assert.deepEqual(
    replayCounts(STDOUT_CONF, single, cat, ['rules[].disable.rule=open_*', 'rules[].enable.rule=*cat']),
    replayCounts(STDOUT_CONF, single, cat),
  );
  assert.ok(
    (replayCounts(STDOUT_CONF, single, cat, ['rules[].disable.rule=open_from']).open_from_cat ?? 0) > 0,
    'no substring match',
  );
});

test('append_output and static_fields: in the alert line and the JSON output_fields', { skip: SKIP }, () => {
  const cat = path.join(SCAP, 'falco_cat_write.scap');
  const rules = file(
    'ao-rules.yaml',
    [
      '- rule: cat_open',
      '  desc: d',
      '  condition: evt.type in (open, openat) and proc.name=cat and static.env=prod',
      '  output: "cat opened %fd.name"',
      '  priority: WARNING',
      '  tags: [a, b]',
      '- rule: other_open',
      '  desc: d',
      '  condition: evt.type in (open, openat) and proc.name=cat',
      '  output: "other"',
      '  priority: NOTICE',
      '  tags: [a]',
      '',
    ].join('\n'),
  );
  const cfg = file(
    'ao.yaml',
    [
      'stdout_output: {enabled: true}',
      'rule_matching: all',
      'static_fields:',
      '  env: prod',
      'append_output:',
      '  - match: {rule: cat_open}',
      '    extra_output: "pid=%proc.pid env=%static.env"',
      '  - match: {tags: [a, b], source: syscall}',
      '    extra_output: "tagged_ab"',
      '    extra_fields:',
      '      - who: "%user.name on %proc.name"',
      '      - proc.pid',
      '  - match: {source: k8s_audit}',
      '    extra_output: "never"',
      '',
    ].join('\n'),
  );
  const args = ['falco', '-c', cfg, '-r', rules, '-o', 'engine.kind=replay', '-o', `engine.replay.capture_file=${cat}`];
  const t = runCli(args);
  assert.equal(t.status, 0, text(t.stderr));
  const lines = text(t.stdout).split('\n').filter(Boolean);
  const catLines = lines.filter((l) => l.includes('cat opened'));
  assert.ok(catLines.length > 0);
  for (const l of catLines) assert.match(l, /: Warning cat opened \S+ pid=\d+ env=prod tagged_ab$/);
  for (const l of lines.filter((x) => x.includes('Notice'))) assert.match(l, /: Notice other$/);
  const j = runCli([...args, '-o', 'json_output=true']);
  assert.equal(j.status, 0, text(j.stderr));
  for (const l of text(j.stdout).split('\n').filter(Boolean)) {
    const a = JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> };
    if (a.rule === 'cat_open') {
      assert.match(String(a.output_fields.who), /^\S+ on cat$/);
      assert.equal(typeof a.output_fields['proc.pid'], 'number');
      assert.equal(a.output_fields['static.env'], 'prod');
    } else assert.equal(a.output_fields.who, undefined);
  }
  // with suggested_output the static fields are suggested as Falco's doc says: static_env=prod
  const s = runCli([...args, '-o', 'append_output[]={"suggested_output": true}']);
  assert.equal(s.status, 0, text(s.stderr));
  assert.match(text(s.stdout), /static_env=prod/);
});

test(
  'http_output: user_agent, compress_uploads, ca_cert, mtls and insecure reach the server',
  { skip: SKIP },
  async (t) => {
    if (!which('openssl')) return t.skip('openssl not installed');
    const sdir = path.join(TMP, 'tls-server');
    const cdir = path.join(TMP, 'tls-client');
    fs.mkdirSync(sdir, { recursive: true });
    fs.mkdirSync(cdir, { recursive: true });
    const srv = selfSignedCert(sdir, '127.0.0.1', 'IP:127.0.0.1');
    const cli = selfSignedCert(cdir, 'falco-client', 'DNS:falco-client');
    if (srv === null || cli === null) return t.skip('openssl could not make certificates');
    const seen: { ua: string; enc: string; body: string; client: string }[] = [];
    const server = https.createServer(
      {
        key: fs.readFileSync(srv.key),
        cert: fs.readFileSync(srv.cert),
        ca: fs.readFileSync(cli.cert),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (b: Buffer) => parts.push(b));
        req.on('end', () => {
          const raw = Buffer.concat(parts);
          const enc = String(req.headers['content-encoding'] ?? '');
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          seen.push({
            ua: String(req.headers['user-agent']),
            enc,
            body: (enc === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8'),
            client: String(peer?.subject?.CN ?? ''),
          });
          res.writeHead(200);
          res.end();
        });
      },
    );
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const run = async (http: string): Promise<void> => {
        const cfg = file(
          `http-${seen.length}.yaml`,
          `stdout_output: {enabled: false}\nhttp_output:\n  enabled: true\n  url: https://127.0.0.1:${port}/\n${http}`,
        );
        const r = await runCliAsync([
          'falco',
          '-c',
          cfg,
          '-r',
          path.join(T_RULES, 'single_rule.yaml'),
          '-o',
          'engine.kind=replay',
          '-o',
          `engine.replay.capture_file=${path.join(SCAP, 'falco_cat_write.scap')}`,
        ]);
        assert.equal(r.status, 0, text(r.stderr));
      };
      await run(
        `  user_agent: ua-test/1\n  compress_uploads: true\n  ca_cert: ${srv.cert}\n  mtls: true\n  client_cert: ${cli.cert}\n  client_key: ${cli.key}\n`,
      );
      assert.ok(seen.length > 0, 'alerts posted');
      for (const s of seen) {
        assert.equal(s.ua, 'ua-test/1');
        assert.equal(s.enc, 'gzip');
        assert.equal(s.client, 'falco-client');
        assert.equal((JSON.parse(s.body) as { rule: string }).rule, 'open_from_cat');
      }
      // the default user agent is Falco's; without a CA the self-signed server is refused unless insecure
      const n = seen.length;
      await run('  insecure: true\n');
      assert.ok(seen.length > n);
      for (const s of seen.slice(n)) {
        assert.equal(s.ua, 'falcosecurity/falco');
        assert.equal(s.enc, '');
        assert.equal(s.client, '');
      }
    } finally {
      server.close();
    }
  },
);

const LIVE_SKIP = liveSkipReason('the live falco.yaml tests');

/** a marker rule: fires when the file is opened */
const markerRule = (name: string, f: string, more = ''): string =>
  `- rule: ${name}\n  desc: live test\n  condition: evt.type in (open, openat, openat2) and fd.name = ${f}\n  output: ${name} fired\n  priority: WARNING\n${more}`;

/** a directory with two marker files and where the rules and configuration files go */
function liveFiles(prefix: string) {
  const dir = tmpDir(prefix);
  const at = (n: string): string => path.join(dir, n);
  return { dir, fa: at('a'), fb: at('b'), rules: at('rules.yaml'), cfg: at('falco.yaml') };
}

/** `falco-ts falco -c cfg -r rules` live (our eBPF probe); trigger() opens a file until cond holds */
function falcoLive(cfg: string, rules: string) {
  const args = ['falco', '-c', cfg, '-r', rules, '-o', 'engine.kind=modern_ebpf', '-M', '200'];
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { out: '', err: '' };
  child.stdout.setEncoding('utf8').on('data', (t: string) => (io.out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (io.err += t));
  const exit = new Promise<number | null>((r) => child.on('close', r));
  const trigger = async (f: string, cond: () => boolean): Promise<void> => {
    const t0 = Date.now();
    while (!cond()) {
      assert.ok(Date.now() - t0 < 60_000, `no alert: ${io.err}`);
      assert.equal(child.exitCode, null, `ended: ${io.err}`);
      fs.writeFileSync(f, 'x');
      await sleep(100);
    }
  };
  /** SIGTERM, then the exit status must be 0 */
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    assert.equal(await exit, 0, io.err);
  };
  return { io, trigger, stop, kill: () => child.kill('SIGKILL') };
}

test(
  'watch_config_files: a live run reloads when the rules or the configuration file change',
  { skip: LIVE_SKIP ?? undefined, timeout: 240_000 },
  async () => {
    const { fa, fb, rules, cfg } = liveFiles('falco-ts-watch-');
    fs.writeFileSync(rules, markerRule('watch A', fa));
    fs.writeFileSync(cfg, 'watch_config_files: true\nstdout_output: {enabled: true}\n');
    const live = falcoLive(cfg, rules);
    try {
      await live.trigger(fa, () => live.io.out.includes('watch A fired'));
      fs.writeFileSync(rules, markerRule('watch B', fb));
      assert.ok(
        await until(() => live.io.err.includes(`${rules} changed: rules reloaded (1 rule)`), 30_000),
        live.io.err,
      );
      await live.trigger(fb, () => live.io.out.includes('watch B fired'));
      // the configuration file too: its append_output reaches the alerts
      fs.writeFileSync(
        cfg,
        'watch_config_files: true\nstdout_output: {enabled: true}\nappend_output:\n  - extra_output: after_reload\n',
      );
      assert.ok(await until(() => live.io.err.includes(`${cfg} changed: rules reloaded`), 30_000), live.io.err);
      await live.trigger(fb, () => live.io.out.includes('watch B fired after_reload'));
      await live.stop();
    } finally {
      live.kill();
    }
  },
);

test('unsupported keys warn only while their section is in use', { skip: SKIP }, () => {
  const warned = (opts: string[]): string[] =>
    C.loadFalcoConfig(SHIPPED, opts).warnings.map((w) => /configuration key '([^']+)'/.exec(w)?.[1] ?? w);
  // the shipped program_output.keep_alive: false is nothing while the program output is off
  assert.deepEqual(warned([]), []);
  assert.deepEqual(warned(['program_output.enabled=true']), ['program_output.keep_alive']);
  assert.deepEqual(warned(['program_output.enabled=true', 'program_output.keep_alive=true']), []);
  // the kmod buffer settings with the modern_ebpf engine, and capture settings without capture
  assert.deepEqual(warned(['engine.kmod.buf_size_preset=7', 'capture.max_file_size_mb=10']), []);
  assert.deepEqual(warned(['engine.kind=kmod', 'engine.kmod.buf_size_preset=7']), ['engine.kmod.buf_size_preset']);
  assert.deepEqual(warned(['capture.enabled=true', 'capture.max_file_size_mb=10']), ['capture.max_file_size_mb']);
});

test('json_include_output_fields_property=false: no output_fields, as Falco', { skip: SKIP }, () => {
  const cat = path.join(SCAP, 'falco_cat_write.scap');
  const base = ['falco', '-c', STDOUT_CONF, '-r', path.join(T_RULES, 'single_rule.yaml')];
  const replay = ['-o', 'engine.kind=replay', '-o', `engine.replay.capture_file=${cat}`, '-o', 'json_output=true'];
  const alerts = (more: string[]): Record<string, unknown>[] => {
    const r = runCli([...base, ...replay, ...more]);
    assert.equal(r.status, 0, text(r.stderr));
    return text(r.stdout)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const on = alerts([]);
  const off = alerts(['-o', 'json_include_output_fields_property=false']);
  assert.ok(on.length > 0 && on.length === off.length);
  for (const a of on) assert.ok('output_fields' in a);
  for (const [i, a] of off.entries()) {
    assert.ok(!('output_fields' in a));
    const rest = { ...on[i] };
    delete rest.output_fields;
    assert.deepEqual(a, rest);
  }
});

test(
  'capture (mode rules): a live run records the alerts of the rules that say capture: true',
  { skip: LIVE_SKIP ?? undefined, timeout: 240_000 },
  async () => {
    const { dir, fa, fb, rules, cfg } = liveFiles('falco-ts-capture-');
    const caps = path.join(dir, 'caps');
    fs.mkdirSync(caps);
    fs.writeFileSync(
      rules,
      markerRule('plain rule', fb, '  capture: false\n') + markerRule('recorded rule', fa, '  capture: true\n'),
    );
    fs.writeFileSync(
      cfg,
      `stdout_output: {enabled: true}\ncapture:\n  enabled: true\n  path_prefix: ${caps}/falco\n  mode: rules\n  default_duration: 500\n`,
    );
    const files = (): string[] => fs.readdirSync(caps).filter((f) => f.endsWith('.scap'));
    const live = falcoLive(cfg, rules);
    try {
      await live.trigger(fb, () => live.io.out.includes('plain rule fired'));
      await sleep(1500);
      assert.deepEqual(files(), [], 'a rule without capture: true records nothing');
      await live.trigger(fa, () => live.io.out.includes('recorded rule fired'));
      assert.ok(await until(() => files().length > 0, 30_000), live.io.err);
      assert.match(files()[0], /^falco-ts-alert-.*recorded.*\.scap$/);
      await live.stop();
    } finally {
      live.kill();
    }
    assert.ok(fs.statSync(path.join(caps, files()[0])).size > 0);
  },
);
