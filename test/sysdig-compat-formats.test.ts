/**
 * `falco-ts replay F -j` / `-p FORMAT` / `-t a|r|d|D` / `-A -x -X -b` against live
 * `sysdig -r F` with the same options (both TZ=UTC), on every real capture, without a filter
 * (sysdig 0.29.3 filters before parsing state; falco-ts after: README). Every line must be
 * equal, in order, and there must be as many: the only allowances are the named entries of
 * ./deliberate-differences.ts, applied by name (the capture plans of helpers/sysdig-compare.ts,
 * fields left out of the -p formats, sysdig's JSON nulls of names-of-missing-ids), and the
 * test checks that each still changes something. FALCO_TS_SHOW_DIFFS=N shows N differing
 * lines per cell (default 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { runCliAsync, runSysdigAsync, sharedSkipReason, sysdigSkipReason, AsyncResult } from './helpers/env';
import {
  CapturePlan,
  capturePlans,
  lineDifferences,
  lines,
  normaliseSysdigJson,
  withoutFields,
} from './helpers/sysdig-compare';
import { DIFFERENCES, DifferenceName } from './deliberate-differences';

interface Format {
  id: string;
  args: string[];
  json?: boolean;
}

const PROC =
  '*%evt.num %evt.outputtime %proc.name %proc.pid %proc.ppid %proc.pname %proc.cmdline %proc.exe %proc.cwd ' +
  '%proc.args %proc.exepath %proc.sid %proc.vpgid %proc.tty %proc.nthreads %proc.nchilds %proc.fdlimit %proc.loginshellid ' +
  '%proc.env %proc.apid %proc.aname x';
const FD =
  '*%evt.num %evt.outputtime %fd.num %fd.type %fd.typechar %fd.name %fd.directory %fd.filename %fd.l4proto ' +
  '%fd.sip %fd.cip %fd.sport %fd.cport %fd.lip %fd.rip %fd.lport %fd.rport %fd.is_server %fd.sockfamily %fd.uid ' +
  '%fd.cproto %fd.sproto %fd.connected %fd.name_changed';
const USER =
  '*%evt.num %evt.outputtime %user.name %user.uid %user.loginuid %user.loginname %user.homedir %user.shell ' +
  '%group.gid %group.name %thread.tid %thread.vtid %proc.vpid %thread.ismain %thread.exectime %thread.totexectime';
const EVT =
  '*%evt.num %evt.outputtime %evt.res %evt.rawres %evt.failed %evt.is_io %evt.is_io_read %evt.is_io_write ' +
  '%evt.category %evt.latency %evt.latency.s %evt.latency.ns %evt.latency.human %evt.wait_latency %evt.buflen ' +
  '%evt.is_wait %evt.count %evt.abspath %evt.dir %evt.cpu %evt.io_dir %evt.arg.fd %evt.arg[0] %evt.deltatime ' +
  '%evt.reltime %evt.time %evt.datetime %evt.rawtime %evt.type.is.open %evt.is_open_read %evt.is_open_write ' +
  '%evt.count.error %evt.count.exit %syscall.type %evt.time.iso8601';
/** typed JSON values: numbers, booleans, nulls, strings, hex-as-string, PF_NA-as-null */
const JSON_FIELDS =
  '*%evt.num %evt.type %evt.dir %evt.cpu %evt.res %evt.rawres %evt.failed %evt.is_io %evt.category ' +
  '%evt.latency %evt.latency.s %evt.latency.ns %evt.latency.human %evt.deltatime %evt.deltatime.ns %evt.reltime ' +
  '%evt.reltime.ns %evt.time %evt.time.s %evt.datetime %evt.rawtime %evt.rawtime.s %evt.rawtime.ns %evt.buflen ' +
  '%evt.count %evt.type.is.open %evt.arg.fd %evt.args %evt.info %thread.tid %thread.vtid %thread.ismain ' +
  '%thread.exectime %thread.totexectime %proc.pid %proc.ppid %proc.name %proc.exe %proc.args %proc.cmdline ' +
  '%proc.nchilds %proc.nthreads %proc.fdopencount %proc.fdlimit %proc.vmsize %proc.vmrss %proc.vmswap ' +
  '%thread.pfmajor %thread.pfminor %proc.duration %proc.loginshellid %proc.sid %proc.tty %proc.exeline %user.uid ' +
  '%user.name %group.gid %group.name %fd.num %fd.type %fd.typechar %fd.name %fd.sport %fd.cport %fd.l4proto %fd.sip ' +
  '%fd.cip %fd.is_server %fd.connected %fd.name_changed %fd.uid %container.id %container.name %evt.is_io_read';

/** Fields newer than 0.29.3 (fd.nameraw, evt.source, ...) are not in these formats: sysdig has none. */
export const FORMATS: Format[] = [
  { id: 'json-default', args: ['-j'], json: true },
  { id: 'json-fields', args: ['-j', '-p', JSON_FIELDS], json: true },
  { id: 'args', args: ['-p', '*%evt.num %evt.type %evt.args'] },
  { id: 'proc -t a', args: ['-t', 'a', '-p', PROC] },
  { id: 'fd -t r', args: ['-t', 'r', '-p', FD] },
  { id: 'user -t d', args: ['-t', 'd', '-p', USER] },
  { id: 'evt -t D', args: ['-t', 'D', '-p', EVT] },
  { id: 'widths', args: ['-p', '%evt.num %10proc.name|%5evt.type|%evt.dir|%6thread.tid|%3evt.cpu|%12fd.name|'] },
  { id: 'no-star', args: ['-p', '%evt.num %fd.name %evt.deltatime %thread.exectime'] },
  { id: 'default -t D', args: ['-t', 'D'] },
  { id: '-A', args: ['-A'] },
  { id: '-x', args: ['-x', '-p', '*%evt.num %evt.buffer %evt.info'] },
  { id: '-X -j', args: ['-X', '-j'], json: true },
  { id: '-b', args: ['-b', '-p', '*%evt.num %evt.arg.data %evt.info'] },
  { id: '-v', args: ['-v', '-p', '*%evt.num %evt.type %evt.info'] },
];

/** Runs the tasks with at most `limit` at a time. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const res: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      res[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return res;
}

const LIMIT = Math.max(2, Math.min(8, os.cpus().length * 2));

interface Cell {
  fmt: Format;
  plan: CapturePlan;
  ref: AsyncResult;
  ours: AsyncResult;
}

test('replay -j / -p / -t / buffer formats print what sysdig prints, line for line, on every capture', async (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const show = Number(process.env.FALCO_TS_SHOW_DIFFS ?? '3');
  const plans = capturePlans();
  const jobs: Array<() => Promise<Cell>> = [];
  for (const fmt of FORMATS) {
    for (const plan of plans) {
      const args = withoutFields(
        fmt.args,
        plan.leftOut.map((l) => l.field),
      );
      jobs.push(async () => {
        const [ref, ours] = await Promise.all([
          runSysdigAsync(['-r', plan.sysdig, ...args]),
          runCliAsync(['replay', plan.ours, ...args]),
        ]);
        return { fmt, plan, ref, ours };
      });
    }
  }
  const cells = await pool(jobs, LIMIT);

  const failures: string[] = [];
  const report: string[] = [];
  let normalised = 0;
  for (const fmt of FORMATS) {
    let compared = 0;
    for (const { plan, ref, ours } of cells.filter((c) => c.fmt === fmt)) {
      const where = `${fmt.id} ${plan.name}`;
      if (ref.status !== 0) failures.push(`${where}: sysdig exit ${ref.status}: ${ref.stderr.toString().trim()}`);
      if (ours.status !== 0) failures.push(`${where}: falco-ts exit ${ours.status}: ${ours.stderr.toString().trim()}`);
      let r = lines(ref.stdout);
      if (fmt.json) {
        const n = r.map(normaliseSysdigJson);
        normalised += n.filter((l, i) => l !== r[i]).length;
        r = n;
      }
      const diffs = lineDifferences(r, lines(ours.stdout), show);
      if (diffs.length) failures.push(`${where}:\n    ${diffs.join('\n    ')}`);
      compared += r.length;
    }
    report.push(`${fmt.id}: ${compared} lines compared on ${plans.length} captures`);
  }
  report.push(`names-of-missing-ids: ${normalised} sysdig JSON lines normalised`);
  for (const l of report) t.diagnostic(l);
  assert.ok(normalised > 0, 'names-of-missing-ids changed no sysdig line: remove it');
  assert.deepEqual(failures, []);
});

test('no format prints a field that is not compared on purpose', () => {
  for (const d of Object.values(DIFFERENCES)) {
    if (d.kind !== 'not-compared') continue;
    for (const fmt of FORMATS) {
      for (const f of d.fields) assert.deepEqual(withoutFields(fmt.args, [f]), fmt.args, `${fmt.id} prints ${f}`);
    }
  }
});

test('the fields left out of the formats still differ', async (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const checks: Array<() => Promise<string | null>> = [];
  for (const plan of capturePlans()) {
    for (const { field, by } of plan.leftOut) {
      checks.push(async () => {
        const args = ['-p', `*%evt.num %${field}`];
        const [ref, ours] = await Promise.all([
          runSysdigAsync(['-r', plan.sysdig, ...args]),
          runCliAsync(['replay', plan.ours, ...args]),
        ]);
        assert.equal(ours.status, 0, `${plan.name} ${field}: ${ours.stderr.toString()}`);
        const same = ref.status === 0 && ref.stdout.equals(ours.stdout);
        return same ? `${by}: ${field} on ${plan.name} prints the same on both sides now: leave it in` : null;
      });
    }
  }
  const used = new Set<DifferenceName>(capturePlans().flatMap((p) => p.leftOut.map((l) => l.by)));
  for (const name of Object.keys(DIFFERENCES) as DifferenceName[]) {
    if (DIFFERENCES[name].kind === 'fields-left-out')
      assert.ok(used.has(name), `${name}: none of its captures is in ../shared/scap`);
  }
  assert.deepEqual(
    (await pool(checks, LIMIT)).filter((x) => x !== null),
    [],
  );
});
