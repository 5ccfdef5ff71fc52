/** The scap reader on real captures and on damaged input: never a crash, a hang or a lost prefix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readTraceFile } from '../src/scap/file-source';
import { captures, runCli, sharedSkipReason, tmpDir, SCAP_DIR } from './helpers/env';

async function countEvents(file: string): Promise<{ events: number; sections: number }> {
  let events = 0,
    sections = 0;
  await readTraceFile(file, {
    onSection: () => {
      sections++;
    },
    onEvent: () => {
      events++;
    },
  });
  return { events, sections };
}

test('every real capture reads to the end (raw and gzip, SHB 1.0-1.2, v1 and v2 blocks)', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  type Entry = { file: string; event_blocks: number };
  const inventory = JSON.parse(fs.readFileSync(path.join(SCAP_DIR, 'inventory.json'), 'utf8')) as
    Entry[] | { files?: Entry[] } | Record<string, Entry>;
  const list: Entry[] = Array.isArray(inventory)
    ? inventory
    : ((inventory as { files?: Entry[] }).files ?? Object.values(inventory as Record<string, Entry>));
  for (const file of captures()) {
    const { events, sections } = await countEvents(file);
    assert.equal(sections, 1, `${path.basename(file)}: one section`);
    const inv = list.find((x) => x && x.file && path.basename(x.file) === path.basename(file));
    if (inv && typeof inv.event_blocks === 'number') {
      assert.equal(events, inv.event_blocks, `${path.basename(file)}: event count`);
    } else {
      assert.ok(events > 0, `${path.basename(file)}: has events`);
    }
  }
});

test('concatenated sections are read one after the other', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const a = path.join(SCAP_DIR, 'libs_sample.scap');
  const dir = tmpDir();
  const both = path.join(dir, 'both.scap');
  fs.writeFileSync(both, Buffer.concat([fs.readFileSync(a), fs.readFileSync(a)]));
  const one = await countEvents(a);
  const two = await countEvents(both);
  assert.equal(two.sections, 2);
  assert.equal(two.events, 2 * one.events);
  fs.rmSync(dir, { recursive: true });
});

test('truncation at many offsets: the complete events before the cut, then one line, exit 2', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const src = path.join(SCAP_DIR, 'falco_cat_write.scap');
  const raw = zlib.gunzipSync(fs.readFileSync(src));
  const full = runCli(['replay', src]).stdout.toString('latin1').split('\n').filter(Boolean);
  const dir = tmpDir();
  const cut = path.join(dir, 'cut.scap');
  const step = Math.max(1, Math.floor(raw.length / 60));
  let checked = 0;
  for (let n = 0; n < raw.length; n += step + (checked % 7)) {
    fs.writeFileSync(cut, raw.subarray(0, n));
    const r = runCli(['replay', cut]);
    const err = r.stderr.toString();
    const out = r.stdout.toString('latin1').split('\n').filter(Boolean);
    assert.notEqual(r.status, null, `cut at ${n}: did not finish`);
    if (n === 0) {
      assert.equal(r.status, 2);
      assert.match(err, /empty file/);
    } else {
      assert.equal(r.status, 2, `cut at ${n}: exit ${r.status}, stderr ${err}`);
      assert.equal(err.trim().split('\n').length, 1, `cut at ${n}: one line on stderr, got ${err}`);
      assert.match(err, /^falco-ts: .*cut\.scap: /);
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
      // what was printed is exactly a prefix of the full output
      assert.deepEqual(out, full.slice(0, out.length), `cut at ${n}: printed lines are a prefix`);
    }
    checked++;
  }
  assert.ok(checked >= 50);
  fs.rmSync(dir, { recursive: true });
});

test('bad input: one clear line, exit 2, no stack trace', () => {
  const dir = tmpDir();
  const cases: Array<[string, Buffer | null, RegExp]> = [
    ['missing.scap', null, /no such file/],
    ['text.scap', Buffer.from('hello world, not a trace\n'), /not a scap file/],
    ['badgzip.scap', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8]), /gzip/],
    [
      'badmagic.scap',
      Buffer.from('0a0d0d0a1c0000004d3c2b1b01000200ffffffffffffffff1c000000', 'hex'),
      /byte-order magic/,
    ],
    ['bigendian.scap', Buffer.from('0a0d0d0a1c0000001a2b3c4d01000200ffffffffffffffff1c000000', 'hex'), /big-endian/],
    [
      'hugelen.scap',
      Buffer.from('0a0d0d0a1c0000004d3c2b1a01000200ffffffffffffffff1c00000001020000ffffff7f', 'hex'),
      /impossible block length/,
    ],
    ['lz4bad.scap', Buffer.from('04224d1864400000000000', 'hex'), /LZ4/i],
  ];
  for (const [name, data, re] of cases) {
    const p = path.join(dir, name);
    if (data) fs.writeFileSync(p, data);
    const r = runCli(['replay', p]);
    const err = r.stderr.toString();
    assert.equal(r.status, 2, `${name}: exit ${r.status} (${err})`);
    assert.match(err, re, name);
    assert.equal(err.trim().split('\n').length, 1, `${name}: one line: ${err}`);
    assert.ok(err.includes(name), `${name}: the message names the file`);
  }
  fs.rmSync(dir, { recursive: true });
});

test('stopping early settles the read in every compression, whatever the stream has done by then', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  // A small gzip capture is wholly read (and its file closed) before the gunzip output that
  // stops the reader arrives; the read must still resolve, not leave a pending promise.
  const dir = tmpDir('falco-ts-stop-early-');
  const raw = zlib.gunzipSync(fs.readFileSync(path.join(SCAP_DIR, 'falco_cat_write.scap')));
  const gz = path.join(dir, 'small.scap.gz');
  fs.writeFileSync(gz, zlib.gzipSync(raw));
  const plain = path.join(dir, 'small.scap');
  fs.writeFileSync(plain, raw);
  const { events: total } = await countEvents(plain);
  for (const file of [gz, plain]) {
    for (const stopAt of [1, 2, Math.floor(total / 2), total - 1, total]) {
      for (let round = 0; round < 5; round++) {
        let seen = 0;
        let timer: NodeJS.Timeout | undefined;
        // (a referenced timer: with a pending read and nothing else, the loop would otherwise end)
        const timeout = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 5000)));
        const read = readTraceFile(file, {
          onSection: () => {},
          onEvent: () => {
            seen++;
            if (seen === stopAt) return false;
          },
        });
        const r = await Promise.race([read, timeout]);
        clearTimeout(timer);
        assert.notEqual(r, 'hung', `${path.basename(file)}: stopping at event ${stopAt} never settled`);
        assert.equal(seen, stopAt, `${path.basename(file)}: events seen when stopping at ${stopAt}`);
      }
    }
  }
});
