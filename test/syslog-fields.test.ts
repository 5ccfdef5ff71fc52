/**
 * syslog.* (src/filter/fields/syslog.ts) on our own recording (fixtures/syslog/syslog.scap,
 * scripts/make-syslog-fixture.sh): the messages the scenario sent, decoded as libsinsp does
 * (malformed priorities give no value; an oversized one wraps like its int32), and the same
 * lines as sysdig 0.29.3 prints for every write of the trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ROOT, runCli, runSysdig, sysdigSkipReason, tmpDir } from './helpers/env';

const TRACE = path.join(ROOT, 'fixtures', 'syslog', 'syslog.scap');
const FMT =
  '*%evt.num %evt.type %evt.is_syslog | %syslog.facility %syslog.facility.str %syslog.severity %syslog.severity.str | %syslog.message';
const WRITES = 'evt.dir=< and evt.is_io_write=true';

test("syslog fields: the scenario's messages", () => {
  const r = runCli([
    'replay',
    TRACE,
    '-p',
    '%syslog.facility.str %syslog.severity.str %syslog.facility %syslog.severity|%syslog.message',
    'syslog.message exists',
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.deepEqual(r.stdout.toString().trim().split('\n'), [
    'user notice 1 5|Nov 26 20:00:00 ft-test: hello from falco-ts',
    'authpriv info 10 6|auth message',
    'local7 debug 23 7|debug local7',
    '<NA> debug 4103655423 7|>big',
    'daemon info 3 6|daemon via sendto',
    'kern err 0 3|kern err via write',
  ]);
  const f = runCli([
    'replay',
    TRACE,
    '-p',
    '%evt.type %syslog.message',
    'syslog.severity.str = err or syslog.facility = 10',
  ]);
  assert.equal(f.stdout.toString(), 'sendto auth message\nwrite kern err via write\n');
  // the malformed ones are writes to /dev/log with no syslog value
  const w = runCli([
    'replay',
    TRACE,
    '-p',
    '%evt.num',
    `${WRITES} and evt.is_syslog=true and not syslog.message exists`,
  ]);
  assert.equal(w.stdout.toString().trim().split('\n').length, 3);
});

test('syslog fields: the same lines as sysdig 0.29.3', (t) => {
  const why = sysdigSkipReason();
  if (why !== null) {
    t.skip(why);
    return;
  }
  const raw = path.join(tmpDir('syslog'), 'syslog.scap');
  assert.equal(runCli(['convert', TRACE, raw, '-z', 'none']).status, 0);
  const ours = runCli(['replay', raw, '-p', FMT, WRITES]);
  const ref = runSysdig(['-r', raw, '-p', FMT, WRITES]);
  assert.equal(ref.status, 0, ref.stderr.toString());
  assert.ok(ref.stdout.toString().split('\n').length > 9);
  assert.equal(ours.stdout.toString(), ref.stdout.toString());
});
