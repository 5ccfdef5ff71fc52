/**
 * The folders of src/ form layers in the data-flow order that scripts/check-layers.mjs lists:
 * no import goes against it, so no folder or file import cycle can exist.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers/env';

const CHECK = path.join(ROOT, 'scripts', 'check-layers.mjs');

function check(dir: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CHECK, dir], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('src/ imports follow the layers', () => {
  const r = check(path.join(ROOT, 'src'));
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('an import against the layers is reported with its file and folders', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-layers-'));
  try {
    fs.mkdirSync(path.join(dir, 'state'));
    fs.mkdirSync(path.join(dir, 'cli'));
    fs.writeFileSync(path.join(dir, 'cli', 'main.ts'), "import { State } from '../state/state';\n");
    // a type-only import against the flow counts too; a comment quoting one does not
    fs.writeFileSync(
      path.join(dir, 'state', 'state.ts'),
      "// import x from '../cli/main';\nimport type { X } from '../cli/main';\nexport class State {}\n",
    );
    const r = check(dir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "check-layers: state/state.ts imports '../cli/main': state may not depend on cli\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
