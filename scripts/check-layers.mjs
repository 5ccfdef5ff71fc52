#!/usr/bin/env node
// The layers of src/, bottom first: a folder may import only from folders listed before it (or
// itself), so data flows one way (source -> decoder -> state -> filter/rules -> format -> sink)
// and no import cycle can form. Type-only imports count too: they are design edges all the same.
// usage: node scripts/check-layers.mjs [SRC_DIR]   exits 1 and names each offending import.
import fs from 'node:fs';
import path from 'node:path';

export const LAYERS = [
  'util', // bytes, errors, paths, lazy loading: no project imports
  'event', // the event schema: codes, parameter types, print flags, generated tables, the view
  'codec', // LZ4 frames
  'yaml', // the YAML readers
  'log', // Falco's log lines
  'scap', // the trace file format: blocks, metadata, reader, writer, sinks
  'container', // container metadata model and cgroup parsing
  'state', // threads, fds, their parsers and snapshots
  'plugins', // Falco plugins: the .so loader (plugins/native), the plugin API
  'params', // parameter rendering (evt.info, flags, times)
  'alert', // the alert object: priorities, fields, its renderings
  'filter', // the field catalog and the filter language
  'format', // -p templates, the default line, JSON lines
  'rules', // Falco rules: loading, compiling, the engine
  'drops', // syscall event drop monitoring
  'config', // falco.yaml and -o
  'output', // alert channels: stdout, file, program, http, syslog
  'ui', // progress bar and summaries on the terminal
  'container-runtime', // clients of docker, containerd, podman
  'capture', // the live probe and capture files
  'pipeline', // the per-event step
  'webserver', // Falco's web server (/healthz, /versions, /metrics) and metrics snapshots
  'rule-tests', // `falco-ts test`: rule specs, recording, scrubbing
  'cli', // the commands
];

const importRe =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function checkLayers(srcDir) {
  const root = path.resolve(srcDir);
  const files = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  })(root);
  const problems = [];
  const top = (f) => {
    const rel = path.relative(root, f).split(path.sep);
    return rel.length === 1 ? '' : rel[0];
  };
  for (const f of files) {
    const from = top(f);
    const rank = LAYERS.indexOf(from);
    if (rank < 0) {
      problems.push(`${path.relative(root, f)}: folder '${from}' is not in the layer list`);
      continue;
    }
    // comments may quote import lines: strip them first
    const text = fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(f), spec.replace(/\.js$/, ''));
      const to = top(fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'x') : target);
      if (to !== from && LAYERS.indexOf(to) > rank)
        problems.push(`${path.relative(root, f)} imports '${spec}': ${from} may not depend on ${to}`);
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const problems = checkLayers(process.argv[2] ?? 'src');
  for (const p of problems) console.error(`check-layers: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(`check-layers: ${LAYERS.length} layers, no import against the flow`);
}
