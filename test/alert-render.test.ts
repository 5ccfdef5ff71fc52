/**
 * The alert object and its renderings (src/alert/render.ts): 64-bit values stay exact from
 * the engine through the JSON line and a file output, each output renders an alert once, and
 * the text and JSON lines are Falco's for a known case (its stdout_output_*_strict tests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StaticAlert, type OutputFields } from '../src/alert/alert';
import { alertJson, alertLine, alertObject } from '../src/alert/render';
import { PRIORITY_NAMES, parsePriority, syslogSeverity } from '../src/alert/priority';
import { jsonQuote, jsoncppText } from '../src/format/json';
import { FileOutput } from '../src/output/file';
import { OutputManager } from '../src/output/manager';
import { RulesSession } from '../src/rules';
import type { RuleAlert } from '../src/rules/alerts';
import { runSessionOnTraces } from '../src/pipeline/run';
import { fileLines, parseJsonExact } from '../src/rule-tests/runner';
import { ROOT, SCAP_DIR, SHARED, sharedSkipReason, tmpDir } from './helpers/env';

const SKIP = sharedSkipReason();
const TESTS = path.join(SHARED, 'falco-tests', 'files', 'test');
const BIG = 1796592288586320437n; // > 2^53: a double would print 1796592288586320400

/** A StaticAlert counting how often its parts are rendered. */
class CountingAlert extends StaticAlert {
  texts = 0;
  fieldReads = 0;
  override text(): string {
    this.texts++;
    return super.text();
  }
  override fields(): OutputFields {
    this.fieldReads++;
    return super.fields();
  }
}

const counting = () =>
  new CountingAlert({
    rule: 'r',
    priority: 4,
    hostname: 'h',
    timeNs: BIG,
    text: '12:00:00.000000000: Warning x',
    fields: { 'evt.time': BIG, 'proc.name': 'caf\u00e9' },
    tags: ['b', 'a'],
  });

test('a ns timestamp beyond 2^53 stays exact in the JSON line and through a file output', async () => {
  const a = counting();
  const j = alertJson(a);
  assert.match(j, /"evt\.time":1796592288586320437[,}]/);
  assert.match(j, /"time":"2026-12-06T[0-9:]+\.586320437Z"/);
  const dir = tmpDir();
  try {
    const f = path.join(dir, 'alerts.json');
    const out = new FileOutput(f, { json: true });
    out.emit(a);
    await out.close();
    const line = fs.readFileSync(f, 'utf8').trimEnd();
    assert.equal(line, j);
    assert.equal((parseJsonExact(line) as { output_fields: Record<string, unknown> }).output_fields['evt.time'], BIG);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'engine alerts: evt.time fields are the exact event time, through a file output',
  { skip: SKIP ?? undefined },
  async () => {
    const dir = tmpDir();
    const rules = path.join(dir, 'r.yaml');
    fs.writeFileSync(
      rules,
      '- rule: opens\n  desc: d\n  condition: evt.type in (open, openat) and evt.dir=<\n' +
        '  output: "t=%evt.time raw=%evt.rawtime n=%evt.num"\n  priority: WARNING\n',
    );
    try {
      const s = RulesSession.load({ rules: [rules], json: true });
      const f = path.join(dir, 'out.json');
      const out = new FileOutput(f, { json: true });
      const times: bigint[] = [];
      await runSessionOnTraces(s, [path.join(SCAP_DIR, 'falco_cat_write.scap')], (a: RuleAlert) => {
        times.push(a.timeNs);
        assert.equal(a.fields()['evt.rawtime'], a.timeNs);
        out.emit(a);
      });
      await out.close();
      assert.ok(times.length > 0);
      const lines = fileLines(f);
      assert.equal(lines.length, times.length);
      lines.forEach((l, i) => {
        assert.ok(times[i] > BigInt(Number.MAX_SAFE_INTEGER));
        assert.ok(l.includes(`"evt.rawtime":${times[i]},"evt.time":${times[i]}`), l);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('each alert is rendered once whatever the number of outputs', async () => {
  const dir = tmpDir();
  try {
    for (const json of [true, false]) {
      const files = [1, 2, 3].map((i) => `file:${path.join(dir, `${json}-${i}`)}`);
      const mgr = OutputManager.create(files, { json });
      const a = counting();
      mgr.emit(a);
      mgr.emit(a);
      await mgr.close();
      // the JSON line reads the fields once; the text line is read once
      assert.equal(json ? a.fieldReads : a.texts, 1, `json=${json}`);
      assert.equal(json ? a.texts : a.fieldReads, 0);
      for (const f of files) assert.equal(fs.readFileSync(f.slice(5), 'utf8').split('\n').length, 3);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "text and JSON lines are Falco's (stdout_output_strict, stdout_output_json_strict)",
  { skip: SKIP ?? undefined },
  async () => {
    const saved = process.env.FALCO_HOSTNAME;
    process.env.FALCO_HOSTNAME = 'test-falco-hostname';
    try {
      for (const json of [false, true]) {
        const s = RulesSession.load({
          rules: [path.join(TESTS, 'rules', 'single_rule_with_tags.yaml')],
          overrides: ['time_format_iso_8601=true'],
          json,
          bothDirections: true,
        });
        const got: string[] = [];
        const objects: Record<string, unknown>[] = [];
        await runSessionOnTraces(s, [path.join(SCAP_DIR, 'falco_cat_write.scap')], (a) => {
          got.push(alertLine(a, json));
          objects.push(alertObject(a));
        });
        const want = fileLines(path.join(TESTS, 'output_files', `single_rule_with_cat_write.${json ? 'json' : 'txt'}`));
        if (!json) assert.deepEqual(got, want);
        else {
          // Falco's file puts output_fields last (an older nlohmann): compare as objects, then our order
          assert.deepEqual(
            objects,
            want.map((l) => parseJsonExact(l)),
          );
          assert.deepEqual(
            got.map((l) => parseJsonExact(l)),
            objects,
          );
          assert.match(
            got[0],
            /^\{"hostname":"test-falco-hostname","output":"2016-08-04T16:17:57\.881781397\+0000: Warning An open was seen \(command=cat \/dev\/null\)","output_fields":\{"evt\.time\.iso8601":1470327477881781397,"proc\.cmdline":"cat \/dev\/null"\},"priority":"Warning","rule":"open_from_cat","source":"syscall","tags":\["filesystem","process","testing"\],"time":"2016-08-04T16:17:57\.881781397Z"\}$/,
          );
        }
      }
    } finally {
      if (saved === undefined) delete process.env.FALCO_HOSTNAME;
      else process.env.FALCO_HOSTNAME = saved;
    }
  },
);

test(
  'rule alerts render only after their event is gone: an error, not a wrong line',
  { skip: SKIP ?? undefined },
  async () => {
    const s = RulesSession.load({ rules: ['default'] });
    const kept: RuleAlert[] = [];
    await runSessionOnTraces(s, [path.join(ROOT, 'fixtures', 'demo.scap')], (a) => {
      if (kept.length === 0) a.text();
      kept.push(a);
    });
    assert.ok(kept.length > 1);
    assert.match(kept[0].text(), /: Warning Sensitive file/); // rendered while current: kept
    assert.throws(() => kept[1].text(), /after its event/);
  },
);

test('JSON strings: UTF-8 as nlohmann writes it, the same text jsoncpp decodes from the bytes', () => {
  // every 1- and 2-byte sequence and a few longer ones, valid or not
  const samples: string[] = ['caf\xc3\xa9', '\xe2\x82\xac', '\xf0\x9f\x98\x80', '\xf4\x90\x80\x80', '\xff\xfe', '\xc3'];
  for (let a = 0; a < 256; a++) for (let b = 0x20; b < 256; b += 7) samples.push(String.fromCharCode(a, b) + 'x');
  for (const s of samples) assert.equal(jsoncppText(s), JSON.parse(jsonQuote(s)) as string, JSON.stringify(s));
  const a = new StaticAlert({ rule: 'r', priority: 6, hostname: 'h', timeNs: 0n, text: 'caf\u00e9 "q"\n', fields: {} });
  assert.ok(alertJson(a).includes('"output":"caf\u00e9 \\"q\\"\\n"'));
});

test('one Priority: names, Falco spellings, syslog severity', () => {
  assert.equal(parsePriority('WARNING'), 4);
  assert.equal(parsePriority('info'), 6);
  assert.equal(parsePriority('Informational'), 6);
  assert.equal(parsePriority('emergency'), 0);
  assert.equal(parsePriority('warn'), null);
  assert.equal(PRIORITY_NAMES[7], 'Debug');
  assert.equal(syslogSeverity(2), 2);
});
