/**
 * `falco-ts test --record CASE [--spec SPEC] -r RULES -- COMMAND...`: captures everything
 * (live probe, root) while COMMAND runs, keeps COMMAND's process tree (scrub.ts), writes the
 * trace beside the spec, replays it with the rules and adds (or replaces) the case in the
 * spec with what fired as the expected alerts (exact counts), for review.
 *
 * COMMAND inherits our environment, which can end up in the trace (execve arguments and
 * environment): record with an empty one (`env -i PATH=/usr/bin:/bin falco-ts test --record ...`)
 * when the trace is to be committed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as YAML from 'yaml';
import { openLiveProbe, LivePump, frameEnds } from '../capture/live-source';
import { snapshotProc } from '../capture/proc-snapshot';
import { openTraceSink } from '../scap/compressed-sink';
import { ScapWriter } from '../scap/writer';
import { probeOptions } from '../capture/probe-options';
import { RulesSession } from '../rules';
import { InputError } from '../util/errors';
import { scrubTree } from './scrub';
import { collectAlerts } from './runner';

export interface RecordOptions {
  caseName: string;
  spec: string;
  trace?: string;
  rules: string[];
  overrides: string[];
  mustNotFire: string[];
  command: string[];
  settleMs: number;
}

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'case'
  );
}

const relTo = (dir: string, p: string): string => {
  if (p === 'default' || p === 'builtin') return p;
  const r = path.relative(dir, path.resolve(p));
  return r === '' ? '.' : r;
};

/** Adds or replaces case `c` (by name) in the spec file, keeping the rest (and its comments). */
export function upsertCase(specFile: string, c: Record<string, unknown>): void {
  const doc = fs.existsSync(specFile)
    ? YAML.parseDocument(fs.readFileSync(specFile, 'utf8'))
    : YAML.parseDocument('# falco-ts rule tests (falco-ts test; see README "Testing rules")\ncases: []\n');
  if (doc.errors.length > 0) throw new InputError(`${specFile}: YAML: ${doc.errors[0].message.split('\n')[0]}`);
  let cases = doc.get('cases') as YAML.YAMLSeq | undefined;
  if (!cases || !YAML.isSeq(cases)) {
    doc.set('cases', doc.createNode([]));
    cases = doc.get('cases') as YAML.YAMLSeq;
  }
  cases.flow = false;
  const node = doc.createNode(c);
  const i = cases.items.findIndex((it) => YAML.isMap(it) && it.get('name') === c.name);
  if (i >= 0) cases.items[i] = node;
  else cases.items.push(node);
  fs.writeFileSync(specFile, doc.toString({ lineWidth: 0 }));
}

export async function record(o: RecordOptions): Promise<number> {
  if (o.rules.length === 0)
    throw new InputError('test --record: give the rules to judge the recording with (-r FILE, or -r default)');
  // load the rules first: a bad rules file fails before anything runs
  const session = RulesSession.load({ rules: o.rules, overrides: o.overrides });
  const specFile = path.resolve(o.spec);
  const specDir = path.dirname(specFile);
  const trace = path.resolve(o.trace ?? path.join(specDir, slug(o.caseName) + '.scap'));
  fs.mkdirSync(path.dirname(trace), { recursive: true });
  const raw = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-record-')), 'raw.scap');

  const probe = openLiveProbe(probeOptions({}, null));
  const writer = new ScapWriter(openTraceSink(raw, 'none'));
  let childPid: number;
  let exitCode: number | null;
  try {
    // the probe is attached before /proc is read: a process started in between is in both
    writer.writeSection(snapshotProc());
    let scratch: Uint32Array = new Uint32Array(4096);
    const pump = new LivePump(
      probe,
      (b) => {
        const { ends, count } = frameEnds(b, Infinity, scratch);
        scratch = ends;
        writer.writeBlocks(b, count);
        return true;
      },
      { signals: false },
    );
    const running = pump.run();
    const child = spawn(o.command[0], o.command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    childPid = child.pid ?? -1;
    exitCode = await new Promise<number | null>((resolve) => {
      child.on('error', (e) => {
        process.stderr.write(`falco-ts: ${o.command[0]}: ${e.message}\n`);
        resolve(127);
      });
      child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : null)));
    });
    await new Promise((r) => setTimeout(r, o.settleMs));
    pump.stop('consumer');
    await running;
  } finally {
    try {
      probe.close();
    } catch {
      /* closed */
    }
    writer.close();
  }
  if (childPid < 0) throw new InputError(`test --record: could not start ${o.command[0]}`, 1);
  const kept = await scrubTree(raw, trace, { pid: childPid });
  fs.rmSync(path.dirname(raw), { recursive: true, force: true });

  const alerts = await collectAlerts(session, [trace], false);
  const counts: Record<string, number> = {};
  for (const a of alerts) counts[a.rule] = (counts[a.rule] ?? 0) + 1;
  const c: Record<string, unknown> = {
    name: o.caseName,
    description: `recorded: ${o.command.join(' ')}`.slice(0, 200),
    traces: [relTo(specDir, trace)],
    rules: o.rules.map((r) => relTo(specDir, r)),
  };
  if (o.overrides.length > 0) c.options = { overrides: o.overrides };
  const expect: Record<string, unknown> = { alerts: counts, only_listed: true };
  if (o.mustNotFire.length > 0) expect.must_not_fire = o.mustNotFire;
  c.expect = expect;
  upsertCase(specFile, c);
  process.stderr.write(
    `falco-ts: recorded ${kept.events} events of ${kept.threads} threads (command exit ${exitCode}) -> ${trace}\n`,
  );
  process.stderr.write(
    `falco-ts: case '${o.caseName}' in ${specFile}: ${alerts.length} alert(s)` +
      (alerts.length > 0
        ? ': ' +
          Object.entries(counts)
            .map(([r, n]) => `${r} x${n}`)
            .join(', ')
        : '') +
      ' -- review it\n',
  );
  const fired = o.mustNotFire.filter((r) => counts[r] !== undefined);
  if (fired.length > 0)
    process.stderr.write(`falco-ts: warning: ${fired.join(', ')} fired although listed in --must-not-fire\n`);
  return 0;
}
