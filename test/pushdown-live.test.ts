/**
 * The probe's kernel name filter (native/probe: kf_names, kf_tasks; src/filter/pushdown) live,
 * as root: two copies of dd under distinct names copy bytes while `capture -w` runs with
 * `proc.name = <first>`, once with pushdown and once without (FALCO_TS_NO_PUSHDOWN=1). Both
 * files replayed through the filter print the same events of the first copy; with pushdown
 * the other copy's reads and writes never left the kernel (the summary counts them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, liveSkipReason, runCli, tmpDir } from './helpers/env';
import { nativeAddonPath } from '../src/capture/native';

const TMP = tmpDir('falco-ts-pushdown-');
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));

/** `capture` with the filter while `work` runs once the capture's file exists; its stderr. */
async function captureDuring(file: string, filter: string, pushdown: boolean, work: () => void): Promise<string> {
  const env = { ...process.env, TZ: 'UTC', ...(pushdown ? {} : { FALCO_TS_NO_PUSHDOWN: '1' }) };
  const p = spawn(process.execPath, [BIN, 'capture', '-w', file, '-z', 'none', '-M', '6', filter], { env });
  const err: Buffer[] = [];
  p.stderr.on('data', (b: Buffer) => err.push(b));
  const done = new Promise<number | null>((resolve) => p.on('close', resolve));
  // the file is created once the probe is attached and /proc read
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  work();
  const status = await done;
  assert.equal(status, 0, Buffer.concat(err).toString());
  return Buffer.concat(err).toString();
}

function counts(file: string, filter: string): Map<string, number> {
  const r = runCli(['replay', file, filter, '-p', '%proc.name %evt.dir %evt.type %fd.name %evt.res']);
  assert.equal(r.status, 0, r.stderr.toString());
  const m = new Map<string, number>();
  for (const l of r.stdout.toString().split('\n')) if (l !== '') m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

test(
  'live: the kernel name filter drops the other processes and keeps every match',
  { timeout: 120_000 },
  async (t) => {
    const why = liveSkipReason('the pushdown live test');
    if (why !== null) {
      t.skip(why);
      return;
    }
    // an addon built before the name filter ignores the option: nothing to test
    if (!fs.readFileSync(nativeAddonPath()).includes('kf_tasks')) {
      t.skip('the native addon has no kernel name filter (npm run build:native)');
      return;
    }
    const names = ['pdlive_a', 'pdlive_b'];
    for (const n of names) {
      fs.copyFileSync('/bin/dd', path.join(TMP, n));
      fs.chmodSync(path.join(TMP, n), 0o755);
    }
    const work = (): void => {
      for (const n of names)
        spawnSync(path.join(TMP, n), ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=3000'], { stdio: 'ignore' });
    };
    const filter = `proc.name = ${names[0]}`;
    const on = path.join(TMP, 'on.scap');
    const off = path.join(TMP, 'off.scap');
    const errOn = await captureDuring(on, filter, true, work);
    const errOff = await captureDuring(off, filter, false, work);
    const dropped = /, (\d+) filtered out in the kernel/.exec(errOn);
    assert.ok(dropped !== null, errOn);
    assert.doesNotMatch(errOff, /filtered out in the kernel/);
    // the matching process: the same events either way
    const a = counts(on, filter);
    assert.ok((a.get(`${names[0]} < read /dev/zero SUCCESS`) ?? 0) >= 3000, [...a].join('\n'));
    assert.deepEqual([...a].sort(), [...counts(off, filter)].sort());
    // the other copy's 3000 reads and writes (enter and exit) never left the kernel (the
    // files are alike by design: without pushdown userspace drops them before writing)
    assert.ok(Number(dropped[1]) >= 12000, errOn);
  },
);
