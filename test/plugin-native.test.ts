/**
 * Real Falco plugins (.so) through the addon's loader (native/plugin, src/plugins/native): dummy_c
 * and the C++ SDK's examples, built from ../shared/plugins by scripts/build-plugins.sh. The
 * oracle is the plugins' own source: dummy.cpp's #defines and its documented algorithm (each
 * value is the previous + 1 + random() % (jitter + 1), starting from `start`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NativePlugin, type NativeSourceInstance } from '../src/plugins/native/native-plugin';
import {
  eventOffsets,
  eventType,
  pluginEventId,
  pluginEventPayload,
  PLUGIN_EVENT_CODE,
} from '../src/plugins/native/plugin-event';
import { SHARED, tmpDir } from './helpers/env';
import { PLUGIN_LIBS, pluginSkipReason } from './helpers/plugins';

const LIBS = PLUGIN_LIBS;
const lib = (n: string): string => path.join(LIBS, `lib${n}.so`);

const SKIP = pluginSkipReason();

function drain(src: NativeSourceInstance): Buffer[] {
  const out: Buffer[] = [];
  for (let guard = 0; guard < 100000; guard++) {
    const b = src.nextBatch(7);
    for (const off of eventOffsets(b.data)) out.push(b.data.subarray(off, off + b.data.readUInt32LE(off + 16)));
    if (b.eof) return out;
  }
  throw new Error('source never reached EOF');
}

/** dummy.cpp's #define NAME "value" / NAME number */
function dummyDefines(): Record<string, string> {
  const src = fs.readFileSync(path.join(SHARED, 'plugins', 'dummy_c', 'dummy.cpp'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of src.matchAll(/^#define (\w+) "?([^"\n]*)"?$/gm)) out[m[1]] = m[2];
  return out;
}

function oneLineError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const msg = (e as Error).message;
    assert.doesNotMatch(msg, /\n/);
    return msg;
  }
  assert.fail('expected an error');
}

test('dummy_c loads and reports what dummy.cpp defines', { skip: SKIP ?? false }, () => {
  const d = dummyDefines();
  const p = NativePlugin.load(lib('dummy_c'));
  assert.equal(p.info.name, d.PLUGIN_NAME);
  assert.equal(p.info.version, d.PLUGIN_VERSION);
  assert.equal(p.info.description, d.PLUGIN_DESCRIPTION);
  assert.equal(p.info.contact, d.PLUGIN_CONTACT);
  assert.equal(p.info.id, Number(d.PLUGIN_ID));
  assert.equal(p.info.eventSource, d.PLUGIN_SOURCE_NAME);
  assert.deepEqual(p.info.extractEventSources, [d.PLUGIN_SOURCE_NAME]);
  assert.deepEqual(
    p.info.fields.map((f) => [f.name, f.type, f.arg.isRequired && f.arg.isIndex]),
    [
      ['dummy.divisible', 'uint64', true],
      ['dummy.value', 'uint64', false],
      ['dummy.strvalue', 'string', false],
    ],
  );
  assert.deepEqual(p.info.capabilities, { sourcing: true, extraction: true, parsing: false, async: false });
  assert.match(p.info.requiredApiVersion, /^3\.\d+\.\d+$/);
  p.destroy();
});

for (const [jitter, start, maxEvents, divisor] of [
  [0, 1, 20, 3],
  [4, 1000, 57, 5],
] as const) {
  test(
    `dummy_c jitter ${jitter}, start ${start}, maxEvents ${maxEvents}: the documented values`,
    { skip: SKIP ?? false },
    () => {
      const p = NativePlugin.load(lib('dummy_c'));
      p.init({ jitter });
      const src = p.open({ start, maxEvents });
      const events = drain(src);
      assert.equal(events.length, maxEvents);
      const ex = p.extractor(['dummy.value', 'dummy.strvalue', `dummy.divisible[${divisor}]`, 'dummy.divisible[1]']);
      let prev: number = start;
      events.forEach((ev, i) => {
        assert.equal(eventType(ev, 0), PLUGIN_EVENT_CODE);
        assert.equal(pluginEventId(ev, 0), p.info.id);
        const payload = pluginEventPayload(ev, 0);
        assert.equal(payload.length, 8);
        const v = Number(payload.readBigUInt64LE(0));
        // value += 1 + random() % (jitter + 1)
        assert.ok(v - prev >= 1 && v - prev <= jitter + 1, `event ${i}: step ${v - prev} outside [1, ${jitter + 1}]`);
        if (jitter === 0) assert.equal(v, start + i + 1);
        prev = v;
        assert.deepEqual(ex.extract(ev, 0, i + 1), [v, String(v), v % divisor === 0 ? 1 : 0, 1]);
      });
      // after EOF the source stays at EOF
      const again = src.nextBatch();
      assert.equal(again.count, 0);
      assert.ok(again.eof);
      src.close();
      p.destroy();
    },
  );
}

test('SDK examples: plugin_source events, fields extracted by plugin_extract', { skip: SKIP ?? false }, () => {
  const logs: string[] = [];
  const logger = { log: (_l: number, m: string) => logs.push(m) };
  const source = NativePlugin.load(lib('plugin_source'), { logger });
  const extract = NativePlugin.load(lib('plugin_extract'), { logger });
  assert.equal(source.info.name, 'plugin-source-example');
  assert.equal(source.info.eventSource, 'example');
  assert.equal(source.info.id, 999);
  assert.deepEqual(extract.info.extractEventSources, ['example']);
  assert.deepEqual(
    extract.info.fields.map((f) => f.name),
    ['example.msg'],
  );
  source.init();
  extract.init();
  assert.deepEqual(logs, ['plugin-source-example: plugin initialized', 'plugin-extract-example: plugin initialized']);
  const events = drain(source.open('5'));
  assert.equal(events.length, 5);
  const ex = extract.extractor(['example.msg']);
  events.forEach((ev, i) => {
    assert.equal(pluginEventId(ev, 0), 999);
    assert.deepEqual(ex.extract(ev, 0, i + 1, 'example'), [`hello world #${i}`]);
  });
  source.destroy();
  extract.destroy();
  assert.ok(logs.includes('plugin-source-example: plugin destroyed'));
});

test(
  'error returns are one line naming the plugin; the table API says what is missing',
  { skip: SKIP ?? false },
  () => {
    const p = NativePlugin.load(lib('dummy_c'));
    assert.equal(
      oneLineError(() => p.init('{not json')),
      "plugin 'dummy_c': could not initialize plugin: unable to parse the json config",
    );
    p.init('');
    assert.equal(
      oneLineError(() => p.open('[')),
      "plugin 'dummy_c': could not open event source: wrong open params format",
    );
    assert.equal(
      oneLineError(() => p.extractor(['dummy.divisible'])),
      "plugin 'dummy_c': field 'dummy.divisible' requires an argument",
    );
    assert.equal(
      oneLineError(() => p.extractor(['dummy.nope'])),
      "plugin 'dummy_c': no field 'dummy.nope'",
    );
    p.destroy();

    const parse = NativePlugin.load(lib('syscall_parse'));
    assert.match(
      oneLineError(() => parse.init()),
      /^plugin 'syscall-parse-example': could not initialize plugin: .*get_table 'threads'/,
    );
    assert.deepEqual(parse.unsupportedTableCalls(), ["get_table 'threads'"]);
    parse.destroy();
  },
);

test(
  'a missing file, a non-plugin library, an API-incompatible plugin: one clear line',
  { skip: SKIP ?? false },
  () => {
    const tmp = tmpDir('falco-ts-plugin-');
    try {
      const missing = path.join(tmp, 'nope.so');
      assert.match(
        oneLineError(() => NativePlugin.load(missing)),
        new RegExp(`^plugin '${missing}': cannot load plugin library: .*No such file`),
      );

      const libz = [
        '/usr/lib/x86_64-linux-gnu/libz.so.1',
        '/lib/x86_64-linux-gnu/libz.so.1',
        '/usr/lib/libz.so.1',
      ].find((f) => fs.existsSync(f));
      assert.ok(libz, 'libz.so.1 not found');
      assert.equal(
        oneLineError(() => NativePlugin.load(libz)),
        `plugin '${libz}': not a Falco plugin (no plugin_get_required_api_version symbol)`,
      );

      // Falco's own incompatible plugin: only plugin_get_required_api_version and plugin_get_name
      for (const [ver, why] of [
        ['10000000.0.0', 'major versions disagree'],
        ['3.999.0', "framework's minor version is < the requested one"],
      ]) {
        const c = path.join(tmp, 'incompat.c');
        const so = path.join(tmp, `libincompat-${ver}.so`);
        fs.writeFileSync(
          c,
          `const char *plugin_get_required_api_version(void) { return "${ver}"; }\nconst char *plugin_get_name(void) { return "incompat"; }\n`,
        );
        const r = spawnSync('gcc', ['-shared', '-fPIC', '-o', so, c], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const msg = oneLineError(() => NativePlugin.load(so));
        // the message Falco's test incompat_plugin_api expects
        assert.match(
          msg,
          new RegExp(
            `plugin required API version '${ver.replace(/\./g, '\\.')}' not compatible with the framework's API version '3\\.\\d+\\.\\d+'`,
          ),
        );
        assert.ok(msg.startsWith("plugin 'incompat': ") && msg.endsWith(why), msg);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
);
