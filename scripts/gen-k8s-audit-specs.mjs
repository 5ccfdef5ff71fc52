#!/usr/bin/env node
// Expresses Falco's 66 k8s audit regression tests (../shared/falco-tests/falco_k8s_audit_tests.yaml)
// as falco-ts rule-test specs in test/specs-pending/: PENDING until the plugin engine runs
// plugin sources through `falco-ts test` (then they move to test/specs/falco/, and the spec
// format gains `enable_source`). Each case names Falco's inputs in place under ${SHARED}:
// BUILD_DIR/test/... is files/test/..., the k8saudit rules are rules/k8s_audit_rules_0.6.0.yaml,
// the trace is the k8saudit plugin's open_params (-o plugins[0].open_params=...), as Falco's
// harness passed it. The stable rules are rules/falco_rules_0.32.2.yaml, the syscall rules
// of the tests' time (Falco fetched falco-rules-0.1.0/1.0.1): they define the lists
// falco_sensitive_mount_images and friends that trust_nginx_container.yaml appends to, which
// today's falco_rules.yaml no longer has (with it, Falco itself refuses those 6 tests' rules).
// Tests whose rules current libsinsp refuses are skipped with the reason.
// test/k8saudit-rules.test.ts runs these cases today through the rules compiler with the
// plugins' fields registered.
// Usage: node scripts/gen-k8s-audit-specs.mjs [--check]
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { addDetectExpectations } from './falco-detect.mjs';
import { GenError, outputs, readInput, run, SHARED } from './gen-output.mjs';
const require = createRequire(import.meta.url);
const YAML = require('yaml');

const NAME = 'scripts/gen-k8s-audit-specs.mjs';
const SPECS = 'test/specs-pending';
const SUITE = path.join(SHARED, 'falco-tests', 'falco_k8s_audit_tests.yaml');
const S_TESTS = '${SHARED}/falco-tests/files/test';

const list = (v) => (v === undefined ? [] : [].concat(v));

/** a path of the suite as a spec path under ${SHARED} */
function sharedPath(p) {
  const rules = {
    'BUILD_DIR/falcosecurity-rules-falco-prefix/src/falcosecurity-rules-falco/falco_rules.yaml':
      '${SHARED}/rules/falco_rules_0.32.2.yaml',
    'BUILD_DIR/k8saudit-rules-prefix/src/k8saudit-rules/k8s_audit_rules.yaml':
      '${SHARED}/rules/k8s_audit_rules_0.6.0.yaml',
  };
  if (rules[p]) return rules[p];
  if (p.startsWith('BUILD_DIR/test/')) return `${S_TESTS}/${p.slice('BUILD_DIR/test/'.length)}`;
  if (p.startsWith('BUILD_DIR/')) throw new GenError(`${SUITE}: no home for ${p}`);
  return `${S_TESTS}/${p.replace(/^\.\//, '')}`;
}

/** `-o key=value` options of addl_cmdline_opts, with the open_params path made a spec path */
function overrides(name, opts) {
  const words = (opts ?? '').trim().split(/\s+/).filter(Boolean);
  const out = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== '-o' || i + 1 >= words.length)
      throw new GenError(`${SUITE}: ${name}: unexpected option '${words[i]}'`);
    const [k, ...v] = words[++i].split('=');
    const value = v.join('=');
    out.push(`${k}=${k === 'plugins[0].open_params' ? sharedPath(value) : value}`);
  }
  return out;
}

// engine_v4_k8s_audit_rules.yaml tests `ka.req.role.rules.resources contains "pods/exec"`: the
// libsinsp of the tests' time compared each item of a list field; today's (flt_is_comparable)
// allows only in/intersects/exists on lists, and so does our filter compiler
const REFUSED = {
  'engine_v4_k8s_audit_rules.yaml':
    "current libsinsp refuses 'contains' on a list field (ka.req.role.rules.resources, engine_v4_k8s_audit_rules.yaml); the libs of the test's time accepted it",
};

function toCase(name, t) {
  const c = { name };
  for (const [file, why] of Object.entries(REFUSED))
    if (list(t.rules_file).some((f) => f.endsWith('/' + file))) c.skip = why;
  c.rules = list(t.rules_file).map(sharedPath);
  c.traces = [];
  c.options = {
    config: sharedPath(t.conf_file),
    overrides: overrides(name, t.addl_cmdline_opts),
    enable_source: list(t.enable_source),
    env: { TZ: 'UTC', FALCO_HOSTNAME: 'test-falco-hostname' },
  };
  const expect = {};
  addDetectExpectations(t, expect);
  if (list(t.stderr_contains).length) expect.stderr = { matches: list(t.stderr_contains) };
  // Falco's harness expects exit status 0 unless a test says otherwise
  expect.exit = t.exit_status === undefined || t.exit_status === 0 ? 'success' : 'failure';
  c.expect = expect;
  return c;
}

run(NAME, () => {
  const text = readInput(SUITE, "Falco's k8s audit suite", 'utf8');
  let doc;
  try {
    doc = YAML.parse(text, { customTags: [{ tag: '!mux', collection: 'map', resolve: (m) => m }] });
  } catch (e) {
    throw new GenError(`${SUITE}: ${e.message}`);
  }
  const tests = doc?.trace_files?.toJSON ? doc.trace_files.toJSON() : doc?.trace_files;
  if (!tests || typeof tests !== 'object') throw new GenError(`${SUITE}: no trace_files mapping`);
  const cases = Object.entries(tests).map(([n, t]) => toCase(n, t));
  const out = outputs(NAME);
  out.ownDir(SPECS, '.yaml');
  const spec = {
    name: 'Falco regression suite test/falco_k8s_audit_tests.yaml (falcosecurity/falco b1ae5d3dd9f0cc19abfc306aa4110b04d614be8e^)',
    cases,
  };
  const head =
    `# GENERATED by ${NAME} from \${SHARED}/falco-tests/falco_k8s_audit_tests.yaml; do not edit.\n` +
    '# PENDING: `falco-ts test` does not run plugin sources yet (test/k8saudit-rules.test.ts runs them).\n';
  out.file(`${SPECS}/falco_k8s_audit_tests.yaml`, head + YAML.stringify(spec, { lineWidth: 0 }));
  out.done();
});
