#!/usr/bin/env node
// Keeps one process tree of a capture and scrubs everything else, so a trace recorded on a
// shared machine can be committed as a fixture: events of the tree (processes whose name or
// an ancestor's name is ROOTCOMM), the tree and its ancestors in the process list (other
// entries dropped; ancestors keep comm/exe only: no args, env or cwd), fd lists of the tree
// only, loopback interfaces only, a neutral hostname. The work is src/rule-tests/scrub.ts's,
// which `falco-ts test --record` uses with a pid as the root.
// Usage: node scripts/scrub-trace.mjs IN OUT ROOTCOMM   (needs `npm run build`)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { scrubTree } = require('../dist/src/rule-tests/scrub.js');

const [input, output, rootComm] = process.argv.slice(2);
if (!rootComm) {
  console.error('usage: scrub-trace.mjs IN OUT ROOTCOMM');
  process.exit(2);
}
const r = await scrubTree(input, output, { comm: rootComm }, 'gzip', 'falco-ts-demo');
console.error(`scrub-trace: kept ${r.threads} threads (+${r.ancestors} ancestors), ${r.events} events -> ${output}`);
