/**
 * Keeps one process tree of a capture, rooted at a pid (`test --record`) or at the processes
 * of a name (scripts/scrub-trace.mjs, for our fixtures): events of the tree, the tree and its ancestors in the process list (ancestors keep comm
 * and exe only: no args, env, cwd or cgroups), fd lists of the tree only, loopback
 * interfaces only, a neutral hostname. So a recorded case holds nothing of the rest of the
 * machine.
 */
import { readTraceFile } from '../scap/file-source';
import { openTraceSink, type SinkCompression } from '../scap/compressed-sink';
import { ScapWriter } from '../scap/writer';
import { State } from '../state/state';
import type { ThreadInfo } from '../state/threadinfo';
import '../state/parsers';
import { EventStep } from '../pipeline/event-step';
import { runTraces } from '../pipeline/trace-source';
import { EVENTS } from '../event/generated/events';

/** The tree's root: a process id, or every process with this name (comm). */
export type ScrubRoot = { pid: number } | { comm: string };

export async function scrubTree(
  input: string,
  output: string,
  root: ScrubRoot,
  compression: SinkCompression = 'gzip',
  hostname = 'falco-ts-test',
): Promise<{ threads: number; ancestors: number; events: number }> {
  const rootPid = 'pid' in root ? root.pid : -1;
  const tree = new Set<number>();
  // (a pid root also takes any thread already in the tree as a root: what it forked stays in,
  // even after its ancestry in the table is gone; a name root takes that name only)
  const isRoot: (a: ThreadInfo) => boolean =
    'pid' in root ? (a) => a.tid === root.pid || a.pid === root.pid || tree.has(a.tid) : (a) => a.comm === root.comm;
  const ancestors = new Set<number>();
  {
    const st = new State();
    // every event counts, hidden ones included: the tree is followed through the state alone
    const step = new EventStep(st, {
      updated: () => {
        const t = st.cur.thread;
        if (t === null) return;
        let inTree = false;
        for (
          let a: typeof t | undefined = t, d = 0;
          a && d < 64;
          a = a.ptid > 0 ? st.threads.get(a.ptid) : undefined, d++
        ) {
          if (isRoot(a)) {
            inTree = true;
            break;
          }
        }
        if (!inTree) return;
        tree.add(t.tid);
        for (let p = st.threads.get(t.ptid), d = 0; p && d < 64; p = st.threads.get(p.ptid), d++) ancestors.add(p.tid);
      },
      accepted: () => {},
    });
    await runTraces(step, [input]);
  }
  for (const t of tree) ancestors.delete(t);
  const writer = new ScapWriter(openTraceSink(output, compression));
  let execed = false;
  try {
    await readTraceFile(input, {
      onSection: (m) => {
        const procs = m.procs
          .filter((p) => tree.has(p.tid) || ancestors.has(p.tid))
          .map((p) => (tree.has(p.tid) ? p : { ...p, args: [], env: [], cwd: '/', cgroups: [] }));
        const fds = new Map([...m.fds].filter(([tid]) => tree.has(tid)));
        const interfaces = m.interfaces.filter((i) => i.name === 'lo');
        const machine = m.machine ? { ...m.machine, hostname } : null;
        writer.writeSection({ ...m, procs, fds, interfaces, machine });
      },
      onEvent: (ev) => {
        if (!tree.has(ev.tid)) return;
        if (ev.tid === rootPid && !execed) {
          // the root is a fork of the recorder until it executes the command: its events until
          // then (a clone exit carrying the recorder's arguments and environment) are dropped
          const info = EVENTS[ev.type];
          if (
            info === null ||
            info === undefined ||
            !/^execve(at)?$/.test(info.name) ||
            (ev.type & 1) === 0 ||
            !ev.has(0) ||
            ev.i64(0) !== 0
          )
            return;
          execed = true;
        }
        writer.writeEvent(ev, ev.dumpFlags);
      },
    });
  } finally {
    writer.close();
  }
  return { threads: tree.size, ancestors: ancestors.size, events: writer.events };
}
