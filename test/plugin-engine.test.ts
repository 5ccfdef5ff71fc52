/**
 * The plugin engine (issue 19): falco.yaml's plugins:/load_plugins:, the one loaded-plugin
 * interface over `.so` and TypeScript plugins, and plugin source events through the rules. The
 * oracle is the real dummy_c plugin (../shared/plugins/dummy_c: each value is the previous
 * + 1 + random() % (jitter + 1) from `start`) with its own rules file, and Falco's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadFalcoConfig } from '../src/config/falco-config';
import { PluginSet } from '../src/plugins/registry';
import { eventOffsets } from '../src/plugins/native/plugin-event';
import { BIN, ROOT, SHARED, runCli as runCliBytes, tmpDir } from './helpers/env';
import { PLUGIN_LIBS, pluginSkipReason } from './helpers/plugins';

const DUMMY = path.join(PLUGIN_LIBS, 'libdummy_c.so');

const SKIP = pluginSkipReason();

function writeConf(dir: string, text: string): string {
  const f = path.join(dir, 'falco.yaml');
  fs.writeFileSync(f, text);
  return f;
}

test('plugins: and load_plugins: are read from falco.yaml and -o', () => {
  const dir = tmpDir('pe-conf');
  const f = writeConf(
    dir,
    [
      'plugins:',
      '  - name: dummy_c',
      '    library_path: libdummy_c.so',
      '    init_config: {jitter: 0}',
      '    open_params: \'{"start": 1, "maxEvents": 20}\'',
      '  - name: other',
      '    library_path: /x/libother.so',
      '    init_config: "text"',
      'load_plugins: [dummy_c]',
    ].join('\n'),
  );
  const c = loadFalcoConfig(f);
  assert.equal(c.plugins.length, 1);
  assert.deepEqual(c.plugins[0], {
    name: 'dummy_c',
    libraryPath: '/usr/share/falco/plugins/libdummy_c.so',
    libraryPathAsWritten: 'libdummy_c.so',
    initConfig: '{"jitter":0}',
    openParams: '{"start": 1, "maxEvents": 20}',
  });
  // without load_plugins every entry loads; -o load_plugins=[] loads none
  assert.equal(loadFalcoConfig(f, ['load_plugins=[dummy_c, other]']).plugins.length, 2);
  assert.equal(loadFalcoConfig(f, ['load_plugins=[]']).plugins.length, 0);
  assert.throws(() => loadFalcoConfig(null, ['plugins=[{library_path: x.so}]']), /plugins\[0\]: name is required/);
});

test('a TypeScript plugin object loads through the same interface as a .so', async () => {
  const dir = tmpDir('pe-js');
  // a CommonJS module exporting a FalcoPlugin (src/plugins/api.ts): a source of 1, 2, 3
  const mod = writeModule(dir, 'counter.js', [
    "module.exports = { name: 'counter', version: '0.1.0', requiredApiVersion: '3.0.0', id: 999,",
    "  eventSource: 'counter', fields: [{ name: 'counter.n', type: 'uint64', desc: 'the number' }],",
    '  open() { let n = 0; return { next: () => (n < 3 ? { kind: "events", events: [{ data: String(++n) }] } : { kind: "eof" }) }; },',
    '  extract(evt) { return [BigInt(Buffer.from(evt.data).toString())]; } };',
  ]);
  const set = await PluginSet.load([
    { name: 'counter', libraryPath: mod, libraryPathAsWritten: mod, initConfig: '', openParams: '' },
  ]);
  const p = set.active[0].plugin;
  assert.equal(p.info.kind, 'js');
  assert.deepEqual(set.sources(), ['syscall', 'counter']);
  const src = await p.open('');
  const read = p.field('counter.n', null);
  const got: unknown[] = [];
  for (;;) {
    const b = await src.next();
    for (const off of eventOffsets(b.data)) got.push(read(b.data, off, 0, 'counter'));
    if (b.eof) break;
  }
  assert.deepEqual(got, [1n, 2n, 3n]);
  const bad = path.join(dir, 'bad-api.js');
  fs.writeFileSync(bad, `module.exports = { name: 'bad', version: '1.0.0', requiredApiVersion: '10000000.0.0' };\n`);
  await assert.rejects(
    PluginSet.load([{ name: 'bad', libraryPath: bad, libraryPathAsWritten: bad, initConfig: '', openParams: '' }]),
    /plugin 'bad': plugin required API version '10000000.0.0' not compatible with the framework's API version '3\.12\.0'/,
  );
});

test('dummy_c through the plugin set: init_config, open_params, its fields', { skip: SKIP ?? false }, async () => {
  const set = await PluginSet.load([
    { name: 'dummy_c', libraryPath: DUMMY, libraryPathAsWritten: DUMMY, initConfig: '{"jitter":0}', openParams: '' },
  ]);
  const p = set.active[0].plugin;
  assert.equal(p.info.eventSource, 'dummy_c');
  const src = await p.open('{"start":1,"maxEvents":4}');
  const value = p.field('dummy.value', null);
  const div3 = p.field('dummy.divisible', '3');
  const str = p.field('dummy.strvalue', null);
  const got: unknown[][] = [];
  for (;;) {
    const b = await src.next();
    for (const off of eventOffsets(b.data))
      got.push([value(b.data, off, 0, 'dummy_c'), div3(b.data, off, 0, 'dummy_c'), str(b.data, off, 0, 'dummy_c')]);
    if (b.eof) break;
  }
  // values 2..5 (start 1, jitter 0); divisible[3] is 1 for 3 only; strvalue is the value as text
  assert.deepEqual(
    got.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v))),
    [
      [2, 0, '2'],
      [3, 1, '3'],
      [4, 0, '4'],
      [5, 0, '5'],
    ],
  );
  set.destroy();
  await assert.rejects(
    PluginSet.load([
      { name: 'nope', libraryPath: '/nope.so', libraryPathAsWritten: '/nope.so', initConfig: '', openParams: '' },
    ]),
    /cannot load plugin.*No such file or directory/,
  );
});

/** the CLI's status and its output as text */
function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = runCliBytes(args);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** a JavaScript module of these lines, in `dir` */
function writeModule(dir: string, name: string, lines: string[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

/** a rules file of one rule (its keys in order), in `dir` */
function writeRule(dir: string, rule: Record<string, string>): string {
  const f = path.join(dir, 'rules.yaml');
  const Y = require('yaml') as typeof import('yaml');
  fs.writeFileSync(f, Y.stringify([rule]));
  return f;
}

/** `falco -c conf -r <the rule> <source option>`: its alerts without their times (exit 0) */
function falcoAlerts(dir: string, conf: string, sourceOpt: string, rule: Record<string, string>): string[] {
  const r = runCli(['falco', '-c', conf, '-r', writeRule(dir, rule), sourceOpt]);
  assert.equal(r.status, 0, r.stderr);
  return untimed(r.stdout);
}

/** alert lines without their time */
function untimed(out: string): string[] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\S+ /, ''));
}

const DUMMY_RULES = path.join(SHARED, 'plugins', 'dummy_c', 'dummy_c_rules.yaml');

/** a falco.yaml loading dummy_c with init_config {"jitter": 0} and the given open_params (then `more` entries) */
function dummyConf(dir: string, openParams = '{"start":1,"maxEvents":20}', more: string[] = []): string {
  return writeConf(
    dir,
    [
      'plugins:',
      '  - name: dummy_c',
      `    library_path: ${DUMMY}`,
      '    init_config:',
      '      jitter: 0',
      `    open_params: '${openParams}'`,
      ...more,
      ...(more.length === 0 ? ['load_plugins: [dummy_c]'] : []),
    ].join('\n'),
  );
}

test("falco-ts falco: dummy_c's source through its rules file gives Falco's 20 alerts", { skip: SKIP ?? false }, () => {
  const conf = dummyConf(tmpDir('pe-falco'));
  const r = runCli(['falco', '-c', conf, '-r', DUMMY_RULES, '--disable-source=syscall']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 20);
  lines.forEach((l, i) =>
    assert.match(l, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{9}: Critical -> triggered \\(value=${i + 2}\\)$`)),
  );
});

test('plugin fields with arguments in conditions and outputs, -j alerts', { skip: SKIP ?? false }, () => {
  const dir = tmpDir('pe-fields');
  const conf = dummyConf(dir, '{"start":0,"maxEvents":10}');
  const rules = path.join(dir, 'rules.yaml');
  fs.writeFileSync(
    rules,
    [
      '- required_plugin_versions:',
      '    - name: dummy_c',
      '      version: 0.1.0',
      '- rule: div3',
      '  desc: values divisible by 3',
      '  condition: dummy.divisible[3] = 1 and dummy.strvalue != "9" and evt.source = dummy_c',
      '  output: div3 value=%dummy.value str=%dummy.strvalue d2=%dummy.divisible[2] src=%evt.source plugin=%evt.pluginname',
      '  priority: WARNING',
      '  source: dummy_c',
    ].join('\n'),
  );
  const r = runCli(['falco', '-c', conf, '-r', rules, '--disable-source=syscall', '-o', 'json_output=true']);
  assert.equal(r.status, 0, r.stderr);
  const outs = r.stdout
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { output: string; rule: string; source: string; output_fields: Record<string, unknown> },
    );
  // values 1..10: 3 and 6 (9 is excluded by its strvalue)
  assert.deepEqual(
    outs.map((o) => o.output.replace(/^\S+ /, '')),
    [
      'Warning div3 value=3 str=3 d2=0 src=dummy_c plugin=dummy_c',
      'Warning div3 value=6 str=6 d2=1 src=dummy_c plugin=dummy_c',
    ],
  );
  assert.equal(outs[0].source, 'dummy_c');
  assert.equal(outs[0].output_fields['dummy.value'], 3);
});

test('bad plugins and requirements: one line naming the plugin, exit 1', { skip: SKIP ?? false }, () => {
  const dir = tmpDir('pe-bad');
  const conf = dummyConf(dir);
  const rules = path.join(dir, 'rules.yaml');
  const req = (v: string): void =>
    fs.writeFileSync(rules, `- required_plugin_versions:\n    - name: dummy_c\n      version: ${v}\n`);
  req('100000.0.0');
  let r = runCli(['falco', '-c', conf, '-r', rules, '--disable-source=syscall']);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /Plugin 'dummy_c' version '0\.\d+\.\d+' is not compatible with required plugin version '100000\.0\.0'/,
  );
  fs.writeFileSync(rules, `- required_plugin_versions:\n    - name: absent\n      version: 1.0.0\n`);
  r = runCli(['falco', '-c', conf, '-r', rules, '--disable-source=syscall']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Plugin requirement not satisfied, must load one of: absent \(>= 1\.0\.0\)/);
  // open_params the plugin refuses: its message, once
  r = runCli(['falco', '-c', dummyConf(dir, 'not json'), '-r', DUMMY_RULES, '--disable-source=syscall']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^Error: plugin 'dummy_c': could not open event source/);
  r = runCli(['falco', '-c', conf, '-r', DUMMY_RULES, '--disable-source=dummy_c', '--disable-source=syscall']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Must enable at least one event source/);
  r = runCli(['falco', '-c', conf, '-r', DUMMY_RULES, '--enable-source=nope']);
  assert.match(r.stderr, /Attempted enabling an unknown event source: nope/);
});

/**
 * Falco's own plugin tests (falco_tests_plugins.yaml), with their confs and rules in place:
 * BUILD_DIR/test/plugins/ is where scripts/build-plugins.sh builds Falco's test plugins. The
 * tests that need the Go plugins (cloudtrail, json) are skipped with that reason.
 */
const FALCO_TESTS = path.join(SHARED, 'falco-tests');
const GO_PLUGINS = /cloudtrail-plugin|json-plugin/;

interface FalcoPluginTest {
  conf_file?: string;
  rules_file?: string[];
  validate_rules_file?: string[];
  validate_warnings?: { item_type: string; item_name: string; code: string; message: string }[];
  exit_status?: number;
  stderr_contains?: string;
  addl_cmdline_opts?: string;
}

function falcoPluginTests(): [string, FalcoPluginTest][] {
  const file = path.join(FALCO_TESTS, 'falco_tests_plugins.yaml');
  if (!fs.existsSync(file)) return [];
  const Y = require('yaml') as typeof import('yaml');
  const doc = Y.parse(fs.readFileSync(file, 'utf8').replace('!mux', '')) as {
    trace_files: Record<string, FalcoPluginTest>;
  };
  return Object.entries(doc.trace_files);
}

for (const [name, t] of falcoPluginTests()) {
  const files = path.join(FALCO_TESTS, 'files', 'test');
  const confText = t.conf_file
    ? fs.readFileSync(path.join(files, t.conf_file.replace('BUILD_DIR/test/', '')), 'utf8')
    : '';
  const skip = SKIP ?? (GO_PLUGINS.test(confText) ? 'needs the Go plugins (cloudtrail, json): not built here' : false);
  test(`Falco plugin test ${name}`, { skip }, () => {
    let args: string[];
    if (t.validate_rules_file)
      args = ['falco', '-o', 'json_output=true', ...t.validate_rules_file.flatMap((f) => ['-V', path.join(files, f)])];
    else {
      const conf = path.join(tmpDir('pe-falco-test'), 'falco.yaml');
      fs.writeFileSync(conf, confText.replace(/BUILD_DIR\/test\/plugins\//g, PLUGIN_LIBS + '/'));
      args = ['falco', '-c', conf, ...(t.rules_file ?? []).flatMap((f) => ['-r', path.join(files, f)])];
      if (t.addl_cmdline_opts) args.push(...t.addl_cmdline_opts.split(' '));
    }
    // (a case that wrongly starts would capture live: bounded)
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, t.exit_status ?? 0, r.stderr);
    if (t.stderr_contains) assert.match(r.stderr, new RegExp(t.stderr_contains));
    if (t.validate_warnings) {
      const res = JSON.parse(r.stdout) as { falco_load_results: { warnings: Record<string, unknown>[] }[] };
      const got = res.falco_load_results
        .flatMap((x) => x.warnings)
        .map((w) => ({
          item_type: w.item_type,
          item_name: w.item_name,
          code: w.code,
          message: w.message,
        }));
      assert.deepEqual(got, t.validate_warnings);
    }
  });
}

test(
  "the SDK's source and extractor examples: a source plugin's events, another plugin's fields",
  { skip: SKIP ?? false },
  () => {
    const dir = tmpDir('pe-sdk');
    const conf = writeConf(
      dir,
      [
        'plugins:',
        '  - name: source',
        `    library_path: ${path.join(PLUGIN_LIBS, 'libplugin_source.so')}`,
        "    open_params: '5'",
        '  - name: extract',
        `    library_path: ${path.join(PLUGIN_LIBS, 'libplugin_extract.so')}`,
      ].join('\n'),
    );
    const alerts = falcoAlerts(dir, conf, '--enable-source=example', {
      rule: 'example message',
      desc: 'the example source writes "hello world #N" (plugin_source/plugin.cpp)',
      condition: 'example.msg startswith "hello world" and evt.num > 1',
      output: 'msg=%example.msg num=%evt.num',
      priority: 'NOTICE',
      source: 'example',
    });
    assert.deepEqual(
      alerts,
      [2, 3, 4, 5].map((n) => `Notice msg=hello world #${n - 1} num=${n}`),
    );
  },
);

test(
  '--list-plugins, --plugin-info, --list=SOURCE and `list plugins` show the loaded plugins',
  { skip: SKIP ?? false },
  () => {
    const conf = dummyConf(tmpDir('pe-list'));
    const block =
      "Name: dummy_c\nDescription: Reference plugin for educational purposes\nContact: github.com/falcosecurity/plugins\nVersion: 0.3.0\nCapabilities: \n  - Event Sourcing (ID=4, source='dummy_c')\n  - Field Extraction\n";
    let r = runCli(['falco', '-c', conf, '--list-plugins']);
    assert.equal(r.stdout, `1 Plugins Loaded:\n\n${block}\n\n`);
    assert.equal(runCli(['list', 'plugins', '-c', conf]).stdout, r.stdout);
    r = runCli(['falco', '-c', conf, '--plugin-info', 'dummy_c']);
    assert.ok(r.stdout.startsWith(block + '\nNo init_config schema available\n'), r.stdout);
    assert.match(r.stdout, /dummy\.divisible\[ARG\] \(uint64\)/);
    r = runCli(['falco', '-c', conf, '--plugin-info', 'nope']);
    assert.match(r.stderr, /can't find plugin and print its info: nope/);
    r = runCli(['falco', '-c', conf, '--list=dummy_c', '-N']);
    assert.equal(r.stdout, 'dummy.divisible\ndummy.value\ndummy.strvalue\n');
  },
);

test('registerBuiltinPlugin: a plugins: entry of that name whose library is missing loads the built-in', async () => {
  const { registerBuiltinPlugin } = await import('../src/plugins/registry');
  registerBuiltinPlugin(
    {
      name: 'pe-builtin',
      version: '1.2.3',
      requiredApiVersion: '3.0.0',
      fields: [{ name: 'pe.x', type: 'string', desc: 'x' }],
      extractEventSources: ['syscall'],
      extract: () => ['x'],
    },
    ['pe-builtin', 'pe-alias'],
  );
  const notes: string[] = [];
  const set = await PluginSet.load(
    [
      {
        name: 'pe-alias',
        libraryPath: '/nowhere/libpe.so',
        libraryPathAsWritten: 'libpe.so',
        initConfig: '',
        openParams: '',
      },
    ],
    { note: (l) => notes.push(l) },
  );
  assert.equal(set.active[0].plugin.info.kind, 'built-in');
  assert.deepEqual(set.versions(), new Map([['pe-builtin', '1.2.3']]));
  assert.deepEqual(notes, ["plugin 'pe-alias': /nowhere/libpe.so not found, using the built-in pe-alias plugin"]);
  assert.deepEqual(
    set.fieldsFor('syscall').map((f) => f.field.name),
    ['pe.x'],
  );
});

test(
  'replay -c: the source plugin as input, -p/filter on its fields, -w of plugin events replayed',
  { skip: SKIP ?? false },
  () => {
    const dir = tmpDir('pe-w');
    const conf = dummyConf(dir);
    let r = runCli([
      'replay',
      '-c',
      conf,
      '-p',
      '%evt.num %dummy.value %dummy.divisible[2] %evt.source',
      'dummy.value > 18',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '18 19 0 dummy_c\n19 20 1 dummy_c\n20 21 0 dummy_c\n');
    const cap = path.join(dir, 'dummy.scap');
    r = runCli(['replay', '-c', conf, '-w', cap]);
    assert.equal(r.status, 0, r.stderr);
    // the file holds scap plugin events (code 322, plugin id 4, the payload)
    r = runCli(['replay', cap, '-p', '%evt.num %evt.type %evt.arg[0]']);
    assert.equal(r.stdout.split('\n')[0], '1 pluginevent 4');
    const live = runCli(['replay', '-c', conf, '-r', DUMMY_RULES]);
    const replayed = runCli(['replay', cap, '-c', conf, '-r', DUMMY_RULES]);
    const viaFalco = runCli([
      'falco',
      '-c',
      conf,
      '-r',
      DUMMY_RULES,
      '-o',
      'engine.kind=replay',
      '-o',
      `engine.replay.capture_file=${cap}`,
    ]);
    assert.equal(replayed.status, 0, replayed.stderr);
    const untimed = (s: string): string[] =>
      s
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ /, ''));
    assert.deepEqual(untimed(replayed.stdout), untimed(live.stdout));
    assert.equal(untimed(replayed.stdout).length, 20);
    assert.equal(viaFalco.stdout, replayed.stdout);
  },
);

test('the JavaScript example plugin (examples/plugins/lines.js) loads through plugins: and sources events', () => {
  const dir = tmpDir('pe-example');
  const log = path.join(dir, 'app.log');
  fs.writeFileSync(log, 'INFO started\n\nERROR disk full on /var\nINFO ok\nERROR again\n');
  const conf = writeConf(
    dir,
    [
      'plugins:',
      '  - name: lines',
      `    library_path: ${path.join(ROOT, 'examples', 'plugins', 'lines.js')}`,
      '    init_config: {skipEmpty: true}',
      `    open_params: ${log}`,
    ].join('\n'),
  );
  const alerts = falcoAlerts(dir, conf, '--disable-source=syscall', {
    rule: 'error line',
    desc: 'a line whose first word is ERROR',
    condition: 'lines.word[0] = ERROR',
    output: 'line %lines.num says %lines.word[1] (%lines.text)',
    priority: 'ERROR',
    source: 'lines',
  });
  const rules = path.join(dir, 'rules.yaml');
  assert.deepEqual(alerts, [
    'Error line 3 says disk (ERROR disk full on /var)',
    'Error line 5 says again (ERROR again)',
  ]);
  // evt.plugininfo is the plugin's text of the event
  assert.equal(
    runCli(['replay', '-c', conf, '-p', '%evt.plugininfo']).stdout.split('\n')[1],
    '3: ERROR disk full on /var',
  );
  // -V knows the plugin's source and fields
  assert.match(runCli(['falco', '-c', conf, '-V', rules]).stdout, /rules\.yaml: Ok\n/);
});

test(
  'a parser plugin sees each event of its source, in order, before the rules read its fields',
  { skip: SKIP ?? false },
  () => {
    const dir = tmpDir('pe-parse');
    // parses dummy_c's events (counting them) and offers the count as a field of that source
    const mod = writeModule(dir, 'seen.js', [
      "let seen = 0; module.exports = { name: 'seen', version: '0.1.0', requiredApiVersion: '3.0.0',",
      "  parseEventSources: ['dummy_c'], parse(evt) { if (evt.type === 322) seen++; },",
      "  extractEventSources: ['dummy_c'], fields: [{ name: 'seen.count', type: 'uint64', desc: 'events parsed' }],",
      '  extract() { return [BigInt(seen)]; } };',
    ]);
    const conf = dummyConf(dir, undefined, ['  - name: seen', `    library_path: ${mod}`]);
    const alerts = falcoAlerts(dir, conf, '--disable-source=syscall', {
      rule: 'late',
      desc: 'the 19th event on: value = start + n, seen = n',
      condition: 'seen.count > 18',
      output: 'seen=%seen.count value=%dummy.value',
      priority: 'INFO',
      source: 'dummy_c',
    });
    assert.deepEqual(alerts, ['Informational seen=19 value=20', 'Informational seen=20 value=21']);
  },
);

test('plugins that collide: the same name, id or source is one error naming the plugin', async () => {
  const dir = tmpDir('pe-collide');
  const src = (name: string, id: number, source: string): string =>
    writeModule(dir, `${name}.js`, [
      `module.exports = { name: '${name}', version: '1.0.0', requiredApiVersion: '3.0.0', id: ${id},`,
      `  eventSource: '${source}', open() { return { next: () => ({ kind: 'eof' }) }; } };`,
    ]);
  const load = (...libs: string[]): Promise<PluginSet> =>
    PluginSet.load(
      libs.map((l, i) => ({ name: `p${i}`, libraryPath: l, libraryPathAsWritten: l, initConfig: '', openParams: '' })),
    );
  await assert.rejects(
    load(src('a', 1, 'sa'), src('b', 1, 'sb')),
    /^Error: plugin 'b': plugin ID 1 is already used by plugin 'a'$/,
  );
  await assert.rejects(
    load(src('c', 2, 'sc'), src('d', 3, 'sc')),
    /plugin 'd': event source 'sc' is already provided by plugin 'c'/,
  );
  await assert.rejects(load(src('e', 4, 'se'), src('e', 4, 'se')), /found another plugin with name e/);
  const bad = writeModule(dir, 'throws.js', [
    "module.exports = { name: 'throws', version: '1.0.0', requiredApiVersion: '3.0.0', init() { throw new Error('bad config'); } };",
  ]);
  await assert.rejects(load(bad), /^Error: plugin 'throws': could not initialize plugin: bad config$/);
});

test(
  '-o plugins[0].library_path=... style settings configure a plugin as falco.yaml does',
  { skip: SKIP ?? false },
  () => {
    const r = runCli([
      'falco',
      '-r',
      DUMMY_RULES,
      '-o',
      'plugins[0].name=dummy_c',
      '-o',
      `plugins[0].library_path=${DUMMY}`,
      '-o',
      'plugins[0].init_config={jitter: 0}',
      '-o',
      'plugins[0].open_params={"start":1,"maxEvents":3}',
      '--disable-source=syscall',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      untimed(r.stdout),
      [2, 3, 4].map((v) => `Critical -> triggered (value=${v})`),
    );
  },
);
