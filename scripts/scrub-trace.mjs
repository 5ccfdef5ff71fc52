#!/usr/bin/env node
// Keeps one process tree of a capture and scrubs everything else, so a trace recorded on a
// shared machine can be committed as a fixture: events of the tree (processes whose name or
// an ancestor's name is ROOTCOMM), the tree and its ancestors in the process list (other
// entries dropped; ancestors keep comm/exe only: no args, env or cwd), fd lists of the tree
// only, loopback interfaces only, a neutral hostname.
// Usage: node scripts/scrub-trace.mjs IN OUT ROOTCOMM   (needs `npm run build`)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { readTraceFile } = require('../dist/src/capture/file-source.js');
const { openTraceSink } = require('../dist/src/capture/compressed-sink.js');
const { ScapWriter } = require('../dist/src/capture/scap-writer.js');
const { State } = require('../dist/src/state/state.js');
require('../dist/src/state/parsers/index.js');

const [input, output, rootComm] = process.argv.slice(2);
if (!rootComm) { console.error('usage: scrub-trace.mjs IN OUT ROOTCOMM'); process.exit(2); }

// Pass 1: which tids belong to the tree, and which tids are their ancestors.
const tree = new Set();
const ancestors = new Set();
{
  const st = new State();
  await readTraceFile(input, {
    onSection: (m) => st.loadSection(m),
    onEvent: (ev) => {
      st.processEvent(ev);
      const t = st.cur.thread;
      if (t === null) return;
      let a = t, depth = 0, inTree = false;
      while (a && depth++ < 64) {
        if (a.comm === rootComm) { inTree = true; break; }
        a = a.ptid > 0 ? st.threads.get(a.ptid) : undefined;
      }
      if (!inTree) return;
      tree.add(t.tid);
      for (let p = st.threads.get(t.ptid), d = 0; p && d < 64; p = st.threads.get(p.ptid), d++) ancestors.add(p.tid);
    },
  });
}
for (const t of tree) ancestors.delete(t);

const writer = new ScapWriter(openTraceSink(output, 'gzip'));
await readTraceFile(input, {
  onSection: (m) => {
    const procs = m.procs.filter((p) => tree.has(p.tid) || ancestors.has(p.tid)).map((p) => (
      tree.has(p.tid) ? p : { ...p, args: [], env: [], cwd: '/', cgroups: [], exepath: p.exepath }));
    const fds = new Map([...m.fds].filter(([tid]) => tree.has(tid)));
    const interfaces = m.interfaces.filter((i) => i.name === 'lo');
    const machine = m.machine ? { ...m.machine, hostname: 'falco-ts-demo' } : null;
    writer.writeSection({ ...m, procs, fds, interfaces, machine });
  },
  onEvent: (ev) => { if (tree.has(ev.tid)) writer.writeEvent(ev, ev.dumpFlags); },
});
writer.close();
console.error(`scrub-trace: kept ${tree.size} threads (+${ancestors.size} ancestors), ${writer.events} events -> ${output}`);
