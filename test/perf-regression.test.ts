/**
 * The replay hot path writes output straight into Out's buffer (DefaultLineFormatter.writeLine,
 * Template.formatInto / formatJsonInto, Out.int, jsonQuoteInto) instead of building strings.
 * No timing assertions here (they would be flaky on shared machines): these tests pin the fast
 * paths to the string formatters they replace, byte for byte, on every real capture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captures, sharedSkipReason, tmpDir } from './helpers/env';
import { readTraceFile } from '../src/scap/file-source';
import { State } from '../src/state/state';
import '../src/state/parsers';
import { ParamRenderer } from '../src/params/evtinfo';
import { DefaultLineFormatter } from '../src/format/line';
import { Template } from '../src/format/template';
import { jsonQuote, jsonQuoteInto } from '../src/format/json';
import { Out } from '../src/util/out';
import { fieldRegistry, setParamRenderer } from '../src/filter/fields/registry';
import type { EventView } from '../src/event/view';

type Emit = (ev: EventView, st: State, params: ParamRenderer, out: Out, sink: string[]) => void;

/** Replays file through a fresh state; returns [what emit wrote via Out, what it pushed as strings]. */
async function run(file: string, dir: string, emit: Emit, opts: { limit?: number } = {}): Promise<[Buffer, string]> {
  const st = new State();
  const params = new ParamRenderer(st, { maxBufLen: 80, bufferFormat: 'normal' });
  setParamRenderer(st, params);
  const outFile = path.join(dir, 'out');
  const fd = fs.openSync(outFile, 'w');
  const out = new Out(fd, opts.limit);
  const sink: string[] = [];
  await readTraceFile(file, {
    onSection: (m) => st.loadSection(m),
    onEvent: (ev) => {
      st.processEvent(ev);
      if (!st.cur.hidden) emit(ev, st, params, out, sink);
    },
  });
  out.flush();
  fs.closeSync(fd);
  return [fs.readFileSync(outFile), sink.join('')];
}

function withLines(s: string | null): string {
  return s === null ? '' : s + '\n';
}

test('fast formatters write the same bytes as the string formatters, on every capture', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  const templates = [
    '%evt.num %proc.name %fd.name',
    '%evt.num %fd.num %fd.name %evt.arg.fd', // drops the lines without an fd (no '*')
    '*%evt.num %fd.num %12proc.name| %3evt.type %evt.outputtime',
  ];
  const jsonTemplates = [
    '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info',
    '%evt.num %fd.name %proc.name %evt.time %evt.rawtime %evt.info',
  ];
  for (const file of captures()) {
    const name = path.basename(file);
    // default line (a small Out limit exercises the flushes between lines)
    let fast: Buffer, slow: string;
    try {
      const line = new WeakMap<State, DefaultLineFormatter>();
      const get = (st: State, p: ParamRenderer) => {
        let l = line.get(st);
        if (l === undefined) {
          l = new DefaultLineFormatter(st, p);
          line.set(st, l);
        }
        return l;
      };
      [fast] = await run(file, dir, (ev, st, p, out) => get(st, p).writeLine(ev, out), { limit: 300 });
      [, slow] = await run(file, dir, (ev, st, p, _out, sink) => sink.push(get(st, p).format(ev) + '\n'));
    } catch (e) {
      // captures the reader rejects are covered elsewhere
      if ((e as Error).name === 'InputError' || (e as Error).name === 'TraceFormatError') continue;
      throw e;
    }
    assert.ok(fast.equals(Buffer.from(slow, 'latin1')), `${name}: default line differs`);
    for (const fmt of templates) {
      const tp = Template.compile(fmt, fieldRegistry);
      const tp2 = Template.compile(fmt, fieldRegistry);
      const [a] = await run(
        file,
        dir,
        (ev, st, _p, out) => {
          tp.formatInto(ev, st, out);
        },
        { limit: 200 },
      );
      const [, b] = await run(file, dir, (ev, st, _p, _o, sink) => sink.push(withLines(tp2.format(ev, st))));
      assert.ok(a.equals(Buffer.from(b, 'latin1')), `${name}: -p '${fmt}' differs`);
    }
    for (const fmt of jsonTemplates) {
      const tp = Template.compile(fmt, fieldRegistry);
      const tp2 = Template.compile(fmt, fieldRegistry);
      const [a] = await run(
        file,
        dir,
        (ev, st, _p, out) => {
          tp.formatJsonInto(ev, st, out);
        },
        { limit: 500 },
      );
      const [, b] = await run(file, dir, (ev, st, _p, _o, sink) => sink.push(withLines(tp2.formatJson(ev, st))));
      assert.ok(a.equals(Buffer.from(b, 'latin1')), `${name}: -j '${fmt}' differs`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Out into a temp file: returns the bytes written by fill. */
function outBytes(fill: (o: Out) => void, limit?: number): Buffer {
  const dir = tmpDir();
  const f = path.join(dir, 'o');
  const fd = fs.openSync(f, 'w');
  const o = new Out(fd, limit);
  fill(o);
  o.flush();
  fs.closeSync(fd);
  const b = fs.readFileSync(f);
  fs.rmSync(dir, { recursive: true, force: true });
  return b;
}

test('Out.int prints what String() prints', () => {
  const vals = [
    0,
    1,
    9,
    10,
    99,
    100,
    -1,
    -9,
    -10,
    123456789,
    2147483647,
    2147483648,
    -2147483648,
    -2147483649,
    4294967295,
    4294967296,
    9007199254740991,
    -9007199254740991,
    9007199254740992,
    2 ** 60,
    -(2 ** 63),
    1e21,
    1.5,
    -0.25,
    -0,
    NaN,
    Infinity,
  ];
  for (let i = 0; i < 2000; i++) vals.push(Math.floor((Math.random() - 0.5) * 2 ** (1 + (i % 60))));
  const got = outBytes((o) => {
    for (const v of vals) {
      o.int(v);
      o.endLine();
    }
  }).toString('latin1');
  assert.equal(got, vals.map((v) => String(v) + '\n').join(''));
});

test('Out keeps lines whole across flushes and growth; abortLine drops only the partial line', () => {
  const long = 'x'.repeat(5000) + '\u00e9\u0101'; // chars > 0xff keep their low byte, like Buffer.from(s, 'latin1')
  const got = outBytes((o) => {
    for (let i = 0; i < 50; i++) {
      o.str('line ');
      o.int(i);
      o.byte(0x20);
      if (i % 7 === 0) {
        o.str(long);
        o.abortLine();
        continue;
      }
      if (i % 5 === 0) o.str(long);
      o.endLine();
    }
    o.line('tail');
  }, 1000);
  let want = '';
  for (let i = 0; i < 50; i++) {
    if (i % 7 === 0) continue;
    want += 'line ' + i + ' ' + (i % 5 === 0 ? long : '') + '\n';
  }
  want += 'tail\n';
  assert.ok(got.equals(Buffer.from(want, 'latin1')));
});

test('jsonQuoteInto writes what jsonQuote returns', () => {
  const samples = [
    '',
    'plain',
    'a"b',
    'back\\slash',
    'tab\there',
    'nl\n',
    '\x00\x1f\x7f',
    'caf\xc3\xa9',
    '\xff\xfe',
    'x'.repeat(300) + '"',
  ];
  const got = outBytes((o) => {
    for (const s of samples) {
      jsonQuoteInto(o, s);
      o.endLine();
    }
  }).toString('latin1');
  assert.equal(got, samples.map((s) => jsonQuote(s) + '\n').join(''));
});
