/**
 * Falco's 66 k8s audit regression tests (test/specs-pending/falco_k8s_audit_tests.yaml, from
 * scripts/gen-k8s-audit-specs.mjs) run today without the plugin engine: each case's rules load
 * through our rules loader with the k8saudit and json plugins' fields registered
 * (test/helpers/plugin-field-registry.ts), its open_params file is read by the k8saudit
 * source, and every event is judged by the enabled k8s_audit rules, first match wins (Falco's
 * default rule_matching), every alert's output rendered. The oracle is Falco's own verdicts:
 * detect or not, the priorities seen, the counts per rule, its log lines.
 * When `falco-ts test` runs plugin sources, the same spec runs there and this harness goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { EventView } from '../src/event/view';
import type { State } from '../src/state/state';
import type { FalcoPlugin, PluginEventInput, SourceInstance } from '../src/plugins/api';
import { createK8sAuditPlugin } from '../src/plugins/k8saudit/k8saudit-plugin';
import { createJsonPlugin } from '../src/plugins/json/json-plugin';
import { fieldRegistry } from '../src/filter/fields/registry';
import { RulesLoader, BUILTIN_PLUGINS } from '../src/rules/loader';
import { cmpVer, parseSemver } from '../src/rules/collector';
import { ruleSelected, parsePriority } from '../src/rules';
import { Template } from '../src/format/template';
import type { FieldRegistry } from '../src/filter/field-api';
import { ROOT, SHARED, sharedSkipReason, runCli } from './helpers/env';
import { drainSource } from './helpers/plugin-source';
import { pluginFieldRegistry, type PluginEventView } from './helpers/plugin-field-registry';

const SPEC = path.join(ROOT, 'test', 'specs-pending', 'falco_k8s_audit_tests.yaml');
const skip = sharedSkipReason() ?? false;

interface Case {
  name: string;
  skip?: string;
  rules: string[];
  options: { config: string; overrides: string[]; enable_source: string[] };
  expect: {
    total?: number | { at_least: number };
    all_priorities?: string[];
    alerts?: Record<string, number>;
    stderr?: { matches: string[] };
    exit: 'success' | 'failure';
  };
}

const expand = (s: string): string => s.replace(/\$\{SHARED\}/g, SHARED);

function cases(): Case[] {
  if (skip) return [];
  const doc = YAML.parse(fs.readFileSync(SPEC, 'utf8')) as { cases: Case[] };
  return doc.cases;
}

/** the built-in plugins a rules file's required_plugin_versions may name */
function requirementErrors(loader: RulesLoader, plugins: FalcoPlugin[]): string[] {
  const have: Record<string, string> = { ...BUILTIN_PLUGINS };
  for (const p of plugins) have[p.name] = p.version;
  const errs: string[] = [];
  for (const alts of loader.collector.requiredPlugins) {
    const ok = alts.some((a) => {
      const hv = have[a.name] ? parseSemver(have[a.name]) : null;
      const rv = parseSemver(a.version);
      return hv !== null && rv !== null && hv[0] === rv[0] && cmpVer(hv, rv) >= 0;
    });
    if (!ok) errs.push(`Plugin requirement not satisfied: ${alts.map((a) => `${a.name} >= ${a.version}`).join(', ')}`);
  }
  return errs;
}

/** Loads rules files with the plugins' fields; the load errors and unmet requirements. */
function loadRules(
  files: string[],
  plugins: FalcoPlugin[],
): { loader: RulesLoader; registry: FieldRegistry; errors: string[] } {
  const registry = pluginFieldRegistry(plugins, fieldRegistry);
  const loader = new RulesLoader({ registry, sources: ['syscall', 'k8s_audit'] });
  const errors: string[] = [];
  for (const f of files) {
    const rs = loader.loadPath(expand(f));
    for (const r of rs) for (const e of r.errors) errors.push(`${path.basename(r.name)}: ${e.code} ${e.message}`);
    if (rs.some((r) => !r.ok)) return { loader, registry, errors };
  }
  errors.push(...requirementErrors(loader, plugins));
  return { loader, registry, errors };
}

interface Outcome {
  counts: Map<string, number>;
  priorities: Set<number>;
  total: number;
  warnings: string[];
}

function runCase(c: Case): Outcome {
  const warnings: string[] = [];
  const k8s = createK8sAuditPlugin({ warn: (m) => warnings.push(`[k8saudit] ${m}`) });
  const json = createJsonPlugin();
  const plugins = [k8s, json];
  // the configuration's plugins entries: init_config, open_params (overridden by the case)
  const conf = YAML.parse(fs.readFileSync(expand(c.options.config), 'utf8')) as {
    plugins: { name: string; init_config?: string }[];
  };
  for (const entry of conf.plugins) {
    const p = plugins.find((x) => x.name === entry.name);
    assert.ok(p, `no built-in plugin ${entry.name}`);
    void p.init!(entry.init_config ?? '');
  }
  const open = c.options.overrides.find((o) => o.startsWith('plugins[0].open_params='));
  assert.ok(open && conf.plugins[0].name === 'k8saudit');
  const params = expand(open.slice(open.indexOf('=') + 1));

  const { loader, registry, errors } = loadRules(c.rules, plugins);
  assert.deepEqual(errors, []);
  assert.deepEqual(c.options.enable_source, ['k8s_audit']);
  const rules = loader.ruleset.rules.filter((r) => r.source === 'k8s_audit' && ruleSelected(r, { minPriority: 7 }));
  const outputs = new Map(rules.map((r) => [r, Template.compile('*' + r.output, registry)]));

  const out: Outcome = { counts: new Map(), priorities: new Set(), total: 0, warnings };
  let num = 0;
  for (const e of drainSource(k8s.open!(params) as SourceInstance)) {
    const pluginEvent: PluginEventInput = {
      num: ++num,
      ts: e.ts!,
      source: 'k8s_audit',
      type: 322,
      data: typeof e.data === 'string' ? Buffer.from(e.data) : e.data,
    };
    const view: PluginEventView = { pluginEvent };
    const ev = view as unknown as EventView;
    const st = null as unknown as State;
    const hit = rules.find((r) => r.filter.match(ev, st));
    if (!hit) continue;
    const line = outputs.get(hit)!.format(ev, st);
    assert.equal(typeof line, 'string', `${hit.name}: output renders`);
    out.total++;
    out.counts.set(hit.name, (out.counts.get(hit.name) ?? 0) + 1);
    out.priorities.add(hit.priority);
  }
  return out;
}

/**
 * The same case through Falco's command line (`falco-ts falco -c CONFIG -o
 * plugins[0].open_params=... --enable-source=k8s_audit -r ...`): the configuration's
 * library paths are not found, so the built-in plugins load, as with Falco's shipped config.
 */
function runCaseCli(c: Case): Outcome {
  const args = ['falco', '-c', expand(c.options.config), '-o', 'json_output=true'];
  for (const o of c.options.overrides) args.push('-o', expand(o));
  for (const src of c.options.enable_source) args.push(`--enable-source=${src}`);
  for (const r of c.rules) args.push('-r', expand(r));
  const r = runCli(args, { env: { FALCO_HOSTNAME: 'test-falco-hostname' } });
  assert.equal(r.status, 0, r.stderr.toString());
  const out: Outcome = { counts: new Map(), priorities: new Set(), total: 0, warnings: [] };
  out.warnings = r.stderr.toString().split('\n');
  for (const line of r.stdout.toString().split('\n')) {
    if (!line.startsWith('{')) continue;
    const a = JSON.parse(line) as { rule: string; priority: string; source: string };
    assert.equal(a.source, 'k8s_audit');
    out.total++;
    out.counts.set(a.rule, (out.counts.get(a.rule) ?? 0) + 1);
    out.priorities.add(parsePriority(a.priority) ?? -1);
  }
  return out;
}

function check(c: Case, o: Outcome): void {
  const e = c.expect;
  const got = `got ${JSON.stringify(Object.fromEntries(o.counts))}`;
  if (typeof e.total === 'number') assert.equal(o.total, e.total, `alerts in all, ${got}`);
  else if (e.total) assert.ok(o.total >= e.total.at_least, `at least ${e.total.at_least} alert(s), ${got}`);
  for (const p of e.all_priorities ?? [])
    assert.ok(o.priorities.has(parsePriority(p) ?? -1), `an alert of priority ${p}, ${got}`);
  for (const [rule, n] of Object.entries(e.alerts ?? {}))
    assert.equal(o.counts.get(rule) ?? 0, n, `alerts of ${rule}, ${got}`);
  for (const m of e.stderr?.matches ?? [])
    assert.ok(
      o.warnings.some((w) => new RegExp(m).test(w)),
      `stderr matches ${m}: ${o.warnings.join(' | ')}`,
    );
  assert.equal(e.exit, 'success');
}

const all = cases();
let passed = 0;

test('the pending spec holds Falco k8s audit suite, every test', { skip }, () => {
  assert.equal(all.length, 66);
});

for (const c of all) {
  test(`falco k8s audit: ${c.name}`, { skip: c.skip }, () => {
    check(c, runCase(c));
    passed++;
  });
}

for (const c of all) {
  test(`falco k8s audit, falco command line: ${c.name}`, { skip: c.skip }, () => {
    check(c, runCaseCli(c));
  });
}

test('falco k8s audit: the skipped tests are still refused for their reason', { skip }, () => {
  const skipped = all.filter((c) => c.skip !== undefined);
  assert.equal(skipped.length, 7);
  for (const c of skipped) {
    const { errors } = loadRules(c.rules, [createK8sAuditPlugin(), createJsonPlugin()]);
    assert.deepEqual(errors, [
      "engine_v4_k8s_audit_rules.yaml: LOAD_ERR_COMPILE_CONDITION 'contains' operator not supported list filters",
    ]);
  }
});

test('the upstream k8s audit rules load unchanged, their plugin requirements met', { skip }, () => {
  for (const f of ['k8s_audit_rules.yaml', 'k8s_audit_rules_0.6.0.yaml']) {
    const { loader, errors } = loadRules([path.join(SHARED, 'rules', f)], [createK8sAuditPlugin(), createJsonPlugin()]);
    assert.deepEqual(errors, [], f);
    assert.ok(loader.ruleset.rules.filter((r) => r.source === 'k8s_audit').length > 20, f);
    assert.ok(
      loader.collector.requiredPlugins.some((alts) => alts.some((a) => a.name === 'k8saudit')),
      f,
    );
  }
});

test('falco k8s audit: summary', { skip }, () => {
  const skipped = all.filter((c) => c.skip !== undefined).length;
  process.stdout.write(`# Falco k8s audit tests: ${passed} passed, ${skipped} skipped of ${all.length}\n`);
});
