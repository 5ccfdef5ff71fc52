/**
 * The TypeScript k8saudit and json plugins (src/plugins/k8saudit, src/plugins/json) over
 * Falco's own k8s audit events (../shared/falco-tests/files/test/trace_files/k8s_audit). The
 * oracles: the plugins' README field tables (../shared/plugins/*\/README.md), read here on
 * their own, and the events' JSON, read here with JSON.parse and checked field by field
 * against values written out by hand from the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  ExtractRequest,
  FalcoPlugin,
  PluginEventInput,
  PluginValue,
  SourcedEvent,
  SourceInstance,
} from '../src/plugins/api';
import { createK8sAuditPlugin } from '../src/plugins/k8saudit/k8saudit-plugin';
import { createJsonPlugin } from '../src/plugins/json/json-plugin';
import { indentJson } from '../src/plugins/json/indent';
import { uriParam } from '../src/plugins/k8saudit/uri';
import { parseRfc3339Nanos } from '../src/plugins/k8saudit/timestamp';
import { EXTRACTED_FIELDS } from '../src/plugins/k8saudit/extract';
import { isAuditLog } from '../src/plugins/k8saudit/file-source';
import { BUILTIN_TS_PLUGINS } from '../src/plugins/builtins';
import { SHARED, sharedSkipReason, tmpDir } from './helpers/env';
import { drainSource } from './helpers/plugin-source';

const TRACES = path.join(SHARED, 'falco-tests', 'files', 'test', 'trace_files', 'k8s_audit');
const skip = sharedSkipReason() ?? false;

interface Opened {
  plugin: FalcoPlugin;
  events: PluginEventInput[];
  warnings: string[];
}

let evtNum = 0;

/** every event of a (synchronous) file source */
function drain(plugin: FalcoPlugin, params: string): SourcedEvent[] {
  return drainSource(plugin.open!(params) as SourceInstance);
}

function open(params: string): Opened {
  const warnings: string[] = [];
  const plugin = createK8sAuditPlugin({ warn: (m) => warnings.push(m) });
  void plugin.init!('');
  const events = drain(plugin, params).map((e) => ({
    num: ++evtNum,
    ts: e.ts as bigint,
    source: 'k8s_audit',
    type: 322,
    data: typeof e.data === 'string' ? Buffer.from(e.data) : e.data,
  }));
  return { plugin, events, warnings };
}

function trace(name: string): Opened {
  return open(path.join(TRACES, name));
}

/** `field` or `field[arg]` of one event, as the engine asks for it */
function req(plugin: FalcoPlugin, spec: string): ExtractRequest {
  const m = /^([^[]+)(?:\[(.*)\])?$/.exec(spec)!;
  const fieldId = plugin.fields!.findIndex((f) => f.name === m[1]);
  assert.ok(fieldId >= 0, `no field ${m[1]}`);
  const f = plugin.fields![fieldId];
  const r: ExtractRequest = { fieldId, field: m[1], argPresent: m[2] !== undefined };
  if (m[2] !== undefined) {
    if (f.arg?.isIndex) r.argIndex = Number(m[2]);
    else r.argKey = m[2];
  }
  return r;
}

function get(o: Opened, spec: string, i = 0): PluginValue {
  return o.plugin.extract!(o.events[i], [req(o.plugin, spec)])[0];
}

function json(o: Opened, i = 0): Record<string, unknown> {
  return JSON.parse(Buffer.from(o.events[i].data).toString('utf8')) as Record<string, unknown>;
}

/** rows of a README field table: name, type, arg */
function readmeFields(plugin: string): { name: string; type: string; arg: string; desc: string }[] {
  const text = fs.readFileSync(path.join(SHARED, 'plugins', plugin, 'README.md'), 'utf8');
  const rows = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|\s*(.*?)\s*\|$/.exec(line);
    if (m) rows.push({ name: m[1], type: m[2], arg: m[3], desc: m[4] });
  }
  return rows;
}

function tableOf(p: FalcoPlugin): { name: string; type: string; arg: string; desc: string }[] {
  return p.fields!.map((f) => ({
    name: f.name,
    type: f.isList ? `${f.type} (list)` : f.type,
    arg: f.arg?.isKey ? 'Key' + (f.arg.isRequired ? ', Required' : '') : f.arg?.isIndex ? 'Index' : 'None',
    desc: f.desc.trim(),
  }));
}

test('k8saudit: the field table is the README table, every field extracts', { skip }, () => {
  const p = createK8sAuditPlugin();
  const want = readmeFields('k8saudit');
  assert.equal(want.length, 100);
  assert.deepEqual(tableOf(p), want);
  for (const f of p.fields!) assert.ok(EXTRACTED_FIELDS.has(f.name), f.name);
  assert.equal(EXTRACTED_FIELDS.size, p.fields!.length);
  assert.equal(p.name, 'k8saudit');
  assert.equal(p.eventSource, 'k8s_audit');
  assert.equal(p.id, 1);
  // the current rules need k8saudit >= 0.18.0 (and the 0.6.0 ones >= 0.6.0), json >= 0.7.0
  const rules = fs.readFileSync(path.join(SHARED, 'rules', 'k8s_audit_rules.yaml'), 'utf8');
  assert.match(rules, /- name: k8saudit\n\s+version: 0\.18\.0\n/);
  assert.equal(p.version, '0.18.0');
});

test('json: the field table is the README table', { skip }, () => {
  const p = createJsonPlugin();
  assert.deepEqual(tableOf(p), readmeFields('json'));
  assert.equal(p.version, '0.7.4');
  // like the Go plugin: no sources declared (it applies to any), no source of its own
  assert.equal(p.extractEventSources, undefined);
  assert.equal(p.eventSource, undefined);
});

test('k8saudit: every field of every Falco audit event extracts without error', { skip }, () => {
  let n = 0;
  for (const f of fs.readdirSync(TRACES).filter((x) => x.endsWith('.json'))) {
    const o = trace(f);
    const reqs = o.plugin.fields!.map((fl, fieldId) => ({
      fieldId,
      field: fl.name,
      argPresent: fl.arg?.isRequired === true,
      argKey: fl.arg?.isKey ? 'x' : undefined,
    }));
    for (const e of o.events) {
      const vals = o.plugin.extract!(e, reqs);
      assert.equal(vals.length, reqs.length);
      for (const v of vals) if (Array.isArray(v)) assert.ok(v.length > 0, 'an empty list is no value');
      n++;
    }
  }
  assert.equal(n, 51); // 45 one-event files, one of 6 events, one without any (fal_01_003)
});

test('k8saudit: a pod with two containers', { skip }, () => {
  const o = trace('create_nginx_pod_privileged_2nd_container.json');
  assert.equal(o.events.length, 1);
  assert.equal(get(o, 'ka.verb'), 'create');
  assert.equal(get(o, 'ka.target.resource'), 'pods');
  assert.equal(get(o, 'ka.target.namespace'), 'default');
  assert.equal(get(o, 'ka.target.name'), undefined); // a pod being created has no name yet
  assert.equal(get(o, 'ka.uri'), '/api/v1/namespaces/default/pods');
  assert.equal(get(o, 'ka.response.code'), '201');
  assert.deepEqual(get(o, 'ka.req.pod.containers.image'), ['nginx', 'mysql:latest']);
  assert.deepEqual(get(o, 'ka.req.pod.containers.image[1]'), ['mysql:latest']);
  assert.equal(get(o, 'ka.req.pod.containers.image[2]'), undefined);
  assert.deepEqual(get(o, 'ka.req.pod.containers.image.repository'), ['nginx', 'mysql']);
  assert.deepEqual(get(o, 'ka.req.pod.containers.name'), ['nginx1', 'mysql']);
  assert.deepEqual(get(o, 'ka.req.pod.containers.privileged'), ['false', 'true']);
  assert.deepEqual(get(o, 'ka.req.pod.containers.privileged[0]'), ['false']);
  // the deprecated forms: the first container's image; privileged if any container is
  assert.equal(get(o, 'ka.req.container.image'), 'nginx');
  assert.equal(get(o, 'ka.req.container.image.repository'), 'nginx');
  assert.equal(get(o, 'ka.req.container.privileged'), 'true');
  assert.equal(get(o, 'ka.req.pod.containers.command'), undefined);
  assert.equal(get(o, 'ka.req.pod.initContainers.image'), undefined);
  // no runAsUser anywhere: the effective uid is 0 for each container
  assert.deepEqual(get(o, 'ka.req.pod.containers.eff_run_as_user'), ['0', '0']);
  assert.equal(get(o, 'ka.req.pod.host_network'), undefined);
  const resp = json(o).responseObject as { metadata: { name: string } };
  assert.equal(get(o, 'ka.target.pod.name'), resp.metadata.name);
  assert.equal(get(o, 'ka.resp.name'), resp.metadata.name);
  assert.deepEqual(get(o, 'ka.user.groups'), [
    'system:serviceaccounts',
    'system:serviceaccounts:kube-system',
    'system:authenticated',
  ]);
  assert.equal(get(o, 'ka.user.name'), 'system:serviceaccount:kube-system:replicaset-controller');
  assert.match(
    get(o, 'ka.auth.reason') as string,
    /^RBAC: allowed by ClusterRoleBinding "system:controller:replicaset/,
  );
  assert.equal(get(o, 'ka.auth.decision'), 'allow');
  assert.equal(get(o, 'ka.req.binding.subject.has_name[anything]'), 'true');
});

test('k8saudit: ka.uri.param and subresources (exec, attach)', { skip }, () => {
  const o = trace('exec_pod.json');
  assert.equal(get(o, 'ka.uri.param[command]'), 'bash');
  assert.equal(get(o, 'ka.uri.param[container]'), 'nginx1'); // the first of two
  assert.equal(get(o, 'ka.uri.param[tty]'), 'true');
  assert.equal(get(o, 'ka.uri.param[nosuch]'), undefined);
  assert.equal(get(o, 'ka.target.subresource'), 'exec');
  assert.equal(get(o, 'ka.target.name'), 'nginx-deployment-7998647bdf-phvq7');
  assert.equal(get(o, 'ka.target.pod.name'), undefined); // not the pod itself
  assert.equal(get(o, 'ka.response.code'), '101');
  const a = trace('attach_pod.json');
  assert.equal(get(a, 'ka.uri.param[stdin]'), 'true');
  assert.equal(get(a, 'ka.uri.param[command]'), undefined);
  assert.equal(get(a, 'ka.target.subresource'), 'attach');
});

test('k8saudit: role bindings and roles', { skip }, () => {
  const b = trace('create_clusterrolebinding.json');
  assert.deepEqual(get(b, 'ka.req.binding.subjects'), [
    '{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"minikube"}',
  ]);
  assert.deepEqual(get(b, 'ka.req.binding.subjects.user_names'), ['minikube']);
  assert.equal(get(b, 'ka.req.binding.subjects.serviceaccount_names'), undefined);
  assert.equal(get(b, 'ka.req.binding.subjects.group_names'), undefined);
  assert.equal(get(b, 'ka.req.binding.role'), 'system:basic-user');
  assert.equal(get(b, 'ka.target.name'), 'some-reader-binding');
  const r = trace('create_cluster_role_wildcard_verbs.json');
  assert.deepEqual(get(r, 'ka.req.role.rules.verbs'), ['*', 'get']);
  assert.deepEqual(get(r, 'ka.req.role.rules.verbs[1]'), ['get']);
  assert.deepEqual(get(r, 'ka.req.role.rules.resources'), ['pods']);
  assert.deepEqual(get(r, 'ka.req.role.rules.apiGroups'), ['']);
  const urls = get(r, 'ka.req.role.rules.nonResourceURLs') as string[];
  assert.equal(urls.length, 13);
  assert.equal(urls[0], '/api');
  assert.deepEqual(get(r, 'ka.req.role.rules.nonResourceURLs[0]'), undefined); // rule 0 has none
  const rules = get(r, 'ka.req.role.rules') as string[];
  assert.equal(rules.length, 2);
  assert.deepEqual(JSON.parse(rules[0]), { apiGroups: [''], resources: ['pods'], verbs: ['*'] });
});

test('k8saudit: services, host network, mounts, configmaps', { skip }, () => {
  const s = trace('create_nginx_service_nodeport.json');
  assert.equal(get(s, 'ka.req.service.type'), 'NodePort');
  // the whole ports array as one JSON text, with or without an index
  const ports = '[{"nodePort":30080,"port":80,"protocol":"TCP","targetPort":80}]';
  assert.deepEqual(get(s, 'ka.req.service.ports'), [ports]);
  assert.deepEqual(get(s, 'ka.req.service.ports[0]'), [ports]);
  const h = trace('create_nginx_pod_hostnetwork.json');
  assert.equal(get(h, 'ka.req.pod.host_network'), 'true');
  assert.equal(get(h, 'ka.req.container.host_network'), 'true');
  assert.equal(get(h, 'ka.req.pod.host_pid'), undefined);
  assert.equal(get(h, 'ka.req.container.privileged'), 'false'); // no securityContext at all
  const m = trace('create_nginx_pod_sensitive_mount.json');
  assert.deepEqual(get(m, 'ka.req.pod.volumes.hostpath'), ['/etc']);
  assert.deepEqual(get(m, 'ka.req.pod.volumes.volume_type'), ['hostPath']);
  assert.equal(get(m, 'ka.req.volume.hostpath[/etc]'), 'true');
  assert.equal(get(m, 'ka.req.volume.hostpath[/e*]'), 'true');
  assert.equal(get(m, 'ka.req.volume.hostpath[/e]'), 'false');
  assert.equal(get(m, 'ka.req.volume.hostpath[/proc*]'), 'false');
  const c = trace('create_configmap_sensitive_values.json');
  const data = (json(c).requestObject as { data: unknown }).data;
  assert.equal(get(c, 'ka.req.configmap.obj'), JSON.stringify(data));
  assert.match(get(c, 'ka.req.configmap.obj') as string, /aws_access_key_id/);
  assert.equal(get(c, 'ka.req.configmap.name'), get(c, 'ka.target.name'));
});

test('k8saudit: event times are the stageTimestamps, to the nanosecond', { skip }, () => {
  const o = trace('create_nginx_pod_privileged_2nd_container.json');
  assert.equal(json(o).stageTimestamp, '2018-10-25T17:53:07.006845Z');
  assert.equal(o.events[0].ts, BigInt(Date.UTC(2018, 9, 25, 17, 53, 7)) * 1_000_000n + 6_845_000n);
  assert.equal(parseRfc3339Nanos('2018-10-25T19:53:07.000000001+02:00'), 1540489987000000001n);
  assert.equal(parseRfc3339Nanos('1970-01-01T00:00:00Z'), 0n);
  assert.throws(() => parseRfc3339Nanos('2018-02-30T00:00:00Z'), /out of range/);
  assert.throws(() => parseRfc3339Nanos('yesterday'), /RFC 3339/);
});

test('k8saudit source: EventList documents, arrays, directories, several events a file', { skip }, () => {
  const dir = tmpDir('k8saudit-');
  const lines = fs.readFileSync(path.join(TRACES, 'create_nginx_pod_privileged.json'), 'utf8').trim();
  const ev = JSON.parse(lines) as Record<string, unknown>;
  const other = { ...ev, auditID: 'second', stageTimestamp: '2018-10-25T13:58:49.740000000Z' };
  const f = path.join(dir, 'list.json');
  fs.writeFileSync(
    f,
    JSON.stringify({ kind: 'EventList', items: [ev, other] }) + '\n\n' + JSON.stringify([other]) + '\r\n',
  );
  const o = open(f);
  assert.deepEqual(
    o.events.map((_, i) => get(o, 'ka.auditid', i)),
    [ev.auditID, 'second', 'second'],
  );
  assert.deepEqual(o.warnings, []);
  // six events, one a line, in file order
  const six = trace('create_configmap_sensitive_values.json');
  const ids = fs
    .readFileSync(path.join(TRACES, 'create_configmap_sensitive_values.json'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { auditID: string }).auditID);
  assert.equal(ids.length, 6);
  assert.deepEqual(
    six.events.map((_, i) => get(six, 'ka.auditid', i)),
    ids,
  );
  // a directory: its files oldest first
  const d2 = path.join(dir, 'logs');
  fs.mkdirSync(d2);
  fs.writeFileSync(path.join(d2, 'b.log'), JSON.stringify(other) + '\n');
  fs.writeFileSync(path.join(d2, 'a.log'), JSON.stringify(ev));
  fs.utimesSync(path.join(d2, 'b.log'), new Date(1000), new Date(1000));
  const od = open(d2);
  assert.deepEqual(
    od.events.map((_, i) => get(od, 'ka.auditid', i)),
    ['second', ev.auditID],
  );
});

test('k8saudit source: bad JSON is one line naming file and line; other documents are skipped', { skip }, () => {
  const dir = tmpDir('k8saudit-');
  const f = path.join(dir, 'bad.json');
  fs.writeFileSync(f, fs.readFileSync(path.join(TRACES, 'create_secret.json'), 'utf8').trim() + '\n{"kind": "Ev\n');
  const warnings: string[] = [];
  const p = createK8sAuditPlugin({ warn: (m) => warnings.push(m) });
  assert.throws(
    () => drain(p, f),
    (e: Error) => e.message.startsWith(`k8saudit: ${f}:2: bad audit JSON: `) && !e.message.includes('\n'),
  );
  // Falco's fal_01_003: a JSON document that is not an event: the plugin says so and goes on
  const o = trace('fal_01_003.json');
  assert.equal(o.events.length, 0);
  assert.equal(o.warnings.length, 1);
  assert.match(o.warnings[0], /fal_01_003\.json:1: data not recognized as a k8s audit event$/);
  // an event without stageTimestamp, or too large, is dropped with a warning
  const g = path.join(dir, 'nots.json');
  fs.writeFileSync(g, '{"kind":"Event","auditID":"x"}\n');
  const n = open(g);
  assert.equal(n.events.length, 0);
  assert.match(n.warnings[0], /nots\.json:1: can't read stageTimestamp/);
  const big = createK8sAuditPlugin({ warn: (m) => warnings.push(m) });
  void big.init!('{"maxEventSize": 100}');
  assert.equal(drain(big, path.join(TRACES, 'create_secret.json')).length, 0);
  assert.match(warnings.at(-1)!, /event larger than maxEventSize: size=\d+/);
  assert.throws(() => drain(p, path.join(dir, 'nosuch.json')), /k8saudit: cannot open .*nosuch\.json: ENOENT/);
  assert.throws(() => p.open!('ftp://x'), /scheme "ftp" is not supported/);
  assert.throws(() => p.init!('{"maxEventSize": "big"}'), /init_config maxEventSize: expected a non-negative integer/);
  assert.throws(() => p.init!('{'), /init_config is not JSON/);
});

test('k8saudit extract: documents that are not audit events, wrong types, broken payloads', () => {
  const p = createK8sAuditPlugin();
  const evt = (o: unknown, num: number): PluginEventInput => ({
    num,
    ts: 1n,
    source: 'k8s_audit',
    type: 322,
    data: Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)),
  });
  const verb = { fieldId: 11, field: 'ka.verb', argPresent: false };
  assert.equal(p.fields![11].name, 'ka.verb');
  assert.deepEqual(p.extract!(evt({ verb: 'get' }, 1), [verb]), [undefined]); // no auditID
  assert.deepEqual(p.extract!(evt({ auditID: 'a', verb: 'get' }, 2), [verb]), ['get']);
  const groups = { fieldId: 9, field: 'ka.user.groups', argPresent: false };
  assert.throws(
    () => p.extract!(evt({ auditID: 'a', user: { groups: 'x' } }, 3), [groups]),
    /^Error: k8saudit: ka.user.groups: wrong type conversion$/,
  );
  assert.deepEqual(p.extract!(evt({ auditID: 'a', user: { groups: [1, null] } }, 4), [groups]), [['1', 'null']]);
  assert.throws(() => p.extract!(evt('nope', 5), [verb]), /k8saudit: broken JSON data/);
  assert.throws(() => p.extract!(evt('{"auditID":', 6), [verb]), /^Error: k8saudit: /);
});

test('json: json.value, json.obj, json.rawtime over an audit event', { skip }, () => {
  const o = trace('create_nginx_pod_privileged_2nd_container.json');
  const j = createJsonPlugin();
  const e = o.events[0];
  const ask = (spec: string): PluginValue => j.extract!(e, [req(j, spec)])[0];
  assert.equal(ask('json.value[/verb]'), 'create');
  assert.equal(ask('jevt.value[/verb]'), 'create');
  assert.equal(ask('json.value[verb]'), 'create'); // the leading '/' is optional
  assert.equal(ask('json.value[/requestObject/spec/containers/1/image]'), 'mysql:latest');
  assert.equal(ask('json.value[/responseStatus]'), '{"code":201,"metadata":{}}');
  assert.equal(ask('json.value[/responseStatus/code]'), '201');
  assert.equal(ask('json.value[/annotations/authorization.k8s.io~1decision]'), 'allow');
  assert.equal(ask('json.value[/requestObject/spec/containers/2]'), undefined);
  assert.equal(ask('json.value[/nosuch]'), undefined);
  assert.equal(ask('json.value[]'), Buffer.from(e.data).toString());
  // the events here have canonical numbers and no escapes: Go's Indent is JSON.stringify's
  assert.equal(ask('json.obj'), JSON.stringify(json(o), null, 2));
  assert.equal(ask('json.rawtime'), e.ts.toString());
  assert.equal(ask('jevt.rawtime'), '1540489987006845000');
  const bad = { ...e, num: e.num + 100000, data: Buffer.from('plain text') };
  assert.throws(() => j.extract!(bad, [req(j, 'json.obj')]), /^Error: json: invalid json format$/);
});

test('json.obj indents as Go json.Indent: tokens kept, empty containers compact', () => {
  assert.equal(
    indentJson(' {"a":[],"b":{"c":1.0,"d":"x\\u00e9,:{"},"e":[1, {}]}\n'),
    '{\n  "a": [],\n  "b": {\n    "c": 1.0,\n    "d": "x\\u00e9,:{"\n  },\n  "e": [\n    1,\n    {}\n  ]\n}\n',
  );
});

test('ka.uri.param reads the query as Go does', () => {
  assert.equal(uriParam('/x?a=1&a=2&b=c%20d+e#a=9', 'a'), '1');
  assert.equal(uriParam('/x?a=1&a=2&b=c%20d+e#a=9', 'b'), 'c d e');
  assert.equal(uriParam('/x?flag&b=', 'flag'), '');
  assert.equal(uriParam('/x', 'a'), undefined);
  assert.throws(() => uriParam('/x?a=%zz', 'b'), /k8saudit: ka.uri.param: invalid URL escape "%zz"/);
  assert.throws(() => uriParam('/x?a=1;b=2', 'a'), /invalid semicolon separator/);
});

test('audit logs are recognised by their first line; the built-ins are listed', { skip }, () => {
  const audit = fs.readdirSync(TRACES).filter((f) => f.endsWith('.json') && f !== 'fal_01_003.json');
  for (const f of audit) assert.ok(isAuditLog(path.join(TRACES, f)), f);
  assert.equal(isAuditLog(path.join(TRACES, 'fal_01_003.json')), false); // {"kind": 0}
  const scap = fs.readdirSync(path.join(SHARED, 'scap')).find((f) => f.endsWith('.scap'))!;
  assert.equal(isAuditLog(path.join(SHARED, 'scap', scap)), false);
  assert.equal(isAuditLog(path.join(TRACES, 'nosuch.json')), false);
  assert.deepEqual(Object.keys(BUILTIN_TS_PLUGINS), ['k8saudit', 'json']);
  for (const [name, make] of Object.entries(BUILTIN_TS_PLUGINS)) {
    assert.equal(make().name, name);
    assert.notEqual(make(), make());
  }
});
