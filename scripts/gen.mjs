#!/usr/bin/env node
// Runs every generator of the project (`npm run gen`): the one list of them, which
// test/generated-files.test.ts reads too (`--list`). Each is a separate process, so one
// that fails does not stop the others.
// Usage: node scripts/gen.mjs [--check | --list]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './gen-output.mjs';

const GENERATORS = [
  'scripts/gen-event-table.mjs', // src/event/generated/events.ts, flags.ts
  'scripts/gen-syscall-names.mjs', // src/event/generated/syscall-names.ts
  'scripts/gen-syscall-table.mjs', // native/probe/syscall_table.h
  'scripts/gen-falco-specs.mjs', // test/specs/falco/*.yaml, README.md's falco-skipped section
  'scripts/gen-k8s-audit-specs.mjs', // test/specs-pending/falco_k8s_audit_tests.yaml
  'scripts/gen-falco-testing-specs.mjs', // test/specs/falco-testing/*.yaml (falcosecurity/testing)
];

if (process.argv.includes('--list')) {
  process.stdout.write(GENERATORS.join('\n') + '\n');
} else {
  const args = process.argv.includes('--check') ? ['--check'] : [];
  let status = 0;
  for (const g of GENERATORS) {
    const r = spawnSync(process.execPath, [path.join(ROOT, g), ...args], { stdio: 'inherit' });
    status = Math.max(status, r.status ?? 1);
  }
  process.exit(status);
}
