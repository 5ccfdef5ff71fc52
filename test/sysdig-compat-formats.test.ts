/**
 * `falco-ts replay F -j` / `-p FORMAT` / `-t a|r|d|D` / `-A -x -X -b` against live
 * `sysdig -r F` with the same options (both TZ=UTC), on every real capture sysdig opens,
 * without a filter (sysdig 0.29.3 filters before parsing state; falco-ts after: README).
 *
 * Lines are compared byte for byte (multiset of lines: evt.num makes them unique); JSON lines
 * are also compared as parsed objects. The committed baseline (test/baselines/
 * sysdig-compat-formats.json) records the identical counts reached per format and capture;
 * the test fails on any regression and prints the table. FALCO_TS_UPDATE_BASELINE=1 refreshes
 * it; FALCO_TS_SHOW_DIFFS=N prints the first N differing sysdig lines of each cell.
 *
 * Events of codes newer than sysdig 0.29.3's libs (README: deliberate difference) are taken
 * out of our output and our evt.num values renumbered as sysdig counts, so the other lines of
 * such captures (libs_sample.scap) still compare.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  captures,
  runCliAsync,
  runSysdigAsync,
  sharedSkipReason,
  sysdigSkipReason,
  ROOT,
  AsyncResult,
} from './helpers/env';
import { EVENTS, PPM_EVENT_MAX_E5C53D64 } from '../src/event/generated/events';

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

/**
 * Not covered on purpose: fd.dev* of sockets/pipes/events (sysdig prints uninitialized memory:
 * differs from run to run), evt.rawarg.res and proc.fdusage with -j (sysdig 0.29.3 aborts:
 * "wrong event type"), fields newer than 0.29.3 (fd.nameraw, evt.source, ...).
 */
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

/** Event names that exist only in libs newer than sysdig 0.29.3's (codes >= 336). */
const LATER_ONLY = new Set<string>();
{
  const old = new Set(EVENTS.filter((e) => e && e.code < PPM_EVENT_MAX_E5C53D64).map((e) => e!.name));
  for (const e of EVENTS) if (e && e.code >= PPM_EVENT_MAX_E5C53D64 && !old.has(e.name)) LATER_ONLY.add(e.name);
}

const BASELINE = path.join(ROOT, 'test', 'baselines', 'sysdig-compat-formats.json');

interface Cell {
  identical: number;
  sysdig: number;
  ours: number;
  parsedEqual?: number;
}

function lines(b: Buffer): string[] {
  const s = b.toString('latin1');
  if (s === '') return [];
  return s.replace(/\n$/, '').split('\n');
}

function multisetSame(ref: string[], got: string[]): number {
  const bag = new Map<string, number>();
  for (const l of got) bag.set(l, (bag.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of ref) {
    const c = bag.get(l);
    if (c) {
      n++;
      bag.set(l, c - 1);
    }
  }
  return n;
}

function canonicalJson(l: string): string | null {
  try {
    const o = JSON.parse(l) as unknown;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return null;
    const r = o as Record<string, unknown>;
    return JSON.stringify(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k]]),
    );
  } catch {
    return null;
  }
}

/**
 * Our output without the events sysdig 0.29.3 does not know, evt.num renumbered the way
 * sysdig counts. `later` holds our evt.num of those events (ascending). Text lines that do
 * not start with a number continue the previous event's output (buffers printed by -x/-X/-A).
 */
function withoutLaterEvents(ours: string[], later: number[], json: boolean): string[] {
  if (later.length === 0) return ours;
  const drop = new Set(later);
  const shift = (n: number) => {
    let lo = 0,
      hi = later.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (later[m] < n) lo = m + 1;
      else hi = m;
    }
    return n - lo;
  };
  const out: string[] = [];
  let dropping = false;
  for (const l of ours) {
    const m = json ? /"evt\.num":(\d+)/.exec(l) : /^(\d+)( |$)/.exec(l);
    if (m === null) {
      if (!dropping || json) out.push(l);
      continue;
    }
    const n = Number(m[1]);
    dropping = drop.has(n);
    if (dropping) continue;
    out.push(json ? l.replace(/"evt\.num":\d+/, `"evt.num":${shift(n)}`) : String(shift(n)) + l.slice(m[1].length));
  }
  return out;
}

/** Runs the tasks with at most `limit` at a time. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const res: T[] = new Array(tasks.length);
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

test('replay -j / -p / -t / buffer formats print what sysdig prints, on every capture sysdig opens', async (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const baseline: Record<string, Record<string, Cell>> = fs.existsSync(BASELINE)
    ? JSON.parse(fs.readFileSync(BASELINE, 'utf8'))
    : {};
  const show = Number(process.env.FALCO_TS_SHOW_DIFFS ?? '0');
  const files = captures();
  const limit = Math.max(2, Math.min(8, os.cpus().length * 2));

  // Which captures sysdig opens, and our evt.num of the events it does not know.
  const probes = await pool(
    files.map((f) => async () => {
      const [ref, ours] = await Promise.all([
        runSysdigAsync(['-r', f, '-n', '1']),
        runCliAsync(['replay', f, '-p', '*%evt.num %evt.type']),
      ]);
      const later: number[] = [];
      for (const l of lines(ours.stdout)) {
        const [n, type] = l.split(' ');
        if (LATER_ONLY.has(type)) later.push(Number(n));
      }
      return { file: f, opens: ref.status === 0, later };
    }),
    limit,
  );
  const usable = probes.filter((p) => p.opens);

  const jobs: Array<() => Promise<[Format, string, AsyncResult, AsyncResult, number[]]>> = [];
  for (const fmt of FORMATS) {
    for (const p of usable) {
      jobs.push(async () => {
        const [ref, ours] = await Promise.all([
          runSysdigAsync(['-r', p.file, ...fmt.args]),
          runCliAsync(['replay', p.file, ...fmt.args]),
        ]);
        return [fmt, path.basename(p.file), ref, ours, p.later];
      });
    }
  }
  const results = await pool(jobs, limit);

  const table: Record<string, Record<string, Cell>> = {};
  const report: string[] = [];
  const failures: string[] = [];
  for (const fmt of FORMATS) {
    table[fmt.id] = {};
    let same = 0,
      total = 0,
      parsed = 0;
    const partial: string[] = [];
    for (const [f, name, ref, ours, later] of results) {
      if (f !== fmt) continue;
      if (ref.status !== 0) {
        partial.push(`${name}: sysdig exit ${ref.status}`);
        continue;
      }
      if (ours.status !== 0)
        failures.push(`${fmt.id} ${name}: falco-ts exit ${ours.status}: ${ours.stderr.toString().trim()}`);
      const r = lines(ref.stdout);
      const o = withoutLaterEvents(lines(ours.stdout), later, fmt.json === true);
      const cell: Cell = { identical: multisetSame(r, o), sysdig: r.length, ours: o.length };
      if (fmt.json) {
        const rc = r.map(canonicalJson).filter((x): x is string => x !== null);
        const oc = o.map(canonicalJson).filter((x): x is string => x !== null);
        cell.parsedEqual = multisetSame(rc, oc);
        parsed += cell.parsedEqual;
      }
      table[fmt.id][name] = cell;
      same += cell.identical;
      total += r.length;
      if (cell.identical < r.length || cell.ours !== r.length) {
        partial.push(
          `${name} ${cell.identical}/${r.length}${cell.ours !== r.length ? ` (ours ${cell.ours})` : ''}` +
            `${cell.parsedEqual !== undefined ? ` parsed-equal ${cell.parsedEqual}` : ''}`,
        );
        if (show > 0) {
          const bag = new Set(o);
          const missing = r.filter((l) => !bag.has(l)).slice(0, show);
          for (const l of missing) partial.push(`    sysdig: ${l.slice(0, 300)}`);
        }
      }
      const base = baseline[fmt.id]?.[name];
      if (base !== undefined) {
        if (cell.identical < base.identical)
          failures.push(
            `${fmt.id} ${name}: ${cell.identical} identical lines, fewer than the baseline ${base.identical}`,
          );
        if (base.parsedEqual !== undefined && (cell.parsedEqual ?? 0) < base.parsedEqual) {
          failures.push(
            `${fmt.id} ${name}: ${cell.parsedEqual} parsed-equal JSON lines, fewer than the baseline ${base.parsedEqual}`,
          );
        }
      }
    }
    report.push(
      `${fmt.id}: ${same}/${total} identical (${((100 * same) / Math.max(1, total)).toFixed(2)}%)` +
        `${fmt.json ? `, ${parsed} parsed-equal` : ''}${partial.length ? '\n  ' + partial.join('\n  ') : ''}`,
    );
  }
  t.diagnostic(report.join('\n'));
  console.log(report.join('\n'));
  if (process.env.FALCO_TS_UPDATE_BASELINE === '1') {
    fs.writeFileSync(BASELINE, JSON.stringify(table, null, 1) + '\n');
    return;
  }
  assert.deepEqual(failures, []);
});
