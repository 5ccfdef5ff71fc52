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
import { loadFalcoConfig } from '../src/config/falco-config';
import { PluginSet } from '../src/plugins/registry';
import { eventOffsets } from '../src/plugins/native/plugin-event';
import { tmpDir } from './helpers/env';
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
  const mod = path.join(dir, 'counter.js');
  // a CommonJS module exporting a FalcoPlugin (src/plugins/api.ts): a source of 1, 2, 3
  fs.writeFileSync(
    mod,
    [
      "module.exports = { name: 'counter', version: '0.1.0', requiredApiVersion: '3.0.0', id: 999,",
      "  eventSource: 'counter', fields: [{ name: 'counter.n', type: 'uint64', desc: 'the number' }],",
      '  open() { let n = 0; return { next: () => (n < 3 ? { kind: "events", events: [{ data: String(++n) }] } : { kind: "eof" }) }; },',
      '  extract(evt) { return [BigInt(Buffer.from(evt.data).toString())]; } };',
    ].join('\n'),
  );
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
