/**
 * Current Falco's regression tests (falcosecurity/testing's legacy_test.go, recorded in
 * scripts/falco-testing-facts.yaml and generated into test/specs/falco-testing/ by
 * scripts/gen-falco-testing-specs.mjs; test/generated-files.test.ts checks the specs are
 * current): every test runs through `falco-ts test`. Each must pass, except those whose
 * inputs ../shared lacks (skipped with the facts' reason) and the known failures, which must
 * still fail with exactly the messages the facts record (so a change in how they fail shows).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ROOT, runCli, sharedSkipReason } from './helpers/env';

interface Fact {
  test: string;
  unavailable?: string;
  known_failure?: { reason: string; status: 'fail' | 'error'; messages: string[] };
}
interface CaseReport {
  name: string;
  status: string;
  messages: string[];
}

const SKIP = sharedSkipReason();
const FACTS = YAML.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'falco-testing-facts.yaml'), 'utf8')) as {
  tests: Fact[];
};

test(
  "falcosecurity/testing's legacy tests run through falco-ts test: pass, or fail as recorded",
  { skip: SKIP ?? undefined },
  () => {
    const r = runCli(['test', path.join(ROOT, 'test', 'specs', 'falco-testing'), '--json']);
    const rep = JSON.parse(r.stdout.toString()) as { cases: CaseReport[] };
    assert.deepEqual(
      rep.cases.map((c) => c.name).sort(),
      FACTS.tests.map((t) => t.test).sort(),
      'one case per test of the facts',
    );
    const byName = new Map(rep.cases.map((c) => [c.name, c]));
    const wrong: string[] = [];
    for (const t of FACTS.tests) {
      const c = byName.get(t.test)!;
      const want = t.unavailable
        ? { status: 'skip', messages: [`input not available: ${t.unavailable}`] }
        : t.known_failure
          ? { status: t.known_failure.status, messages: t.known_failure.messages }
          : { status: 'pass', messages: [] };
      if (c.status !== want.status || JSON.stringify(c.messages) !== JSON.stringify(want.messages))
        wrong.push(
          `${t.test}: expected ${want.status} ${JSON.stringify(want.messages)}, got ${c.status} ${JSON.stringify(c.messages)}`,
        );
    }
    assert.deepEqual(wrong, []);
    // exit 1: some case did not pass (the known failures)
    assert.equal(r.status, FACTS.tests.some((t) => t.known_failure && !t.unavailable) ? 1 : 0, r.stderr.toString());
    const n = (s: string) => rep.cases.filter((c) => c.status === s).length;
    process.stdout.write(
      `# falcosecurity/testing legacy: ${n('pass')} pass, ${n('fail') + n('error')} known failures, ` +
        `${n('skip')} unavailable, of ${rep.cases.length}\n`,
    );
  },
);
