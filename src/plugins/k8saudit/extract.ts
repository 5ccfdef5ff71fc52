/**
 * The k8saudit fields over one parsed audit event, with the Go plugin's semantics (plugin
 * 0.18.0, pkg/k8saudit/extract.go), quirks included since rules depend on them:
 * - a JSON document without `auditID` has no k8saudit field;
 * - a boolean or number renders as its JSON text ("true", "0"), an object or array likewise;
 * - ka.req.binding.subject.has_name[...] is always "true" (the original implementation's answer);
 * - ka.req.volume.hostpath[P] looks at the first volume only (a key argument reaches the plugin
 *   with index 0, which its walk uses as an index), "true" when a hostPath equals P, or starts
 *   with P without its trailing '*';
 * - ka.req.pod.containers.add_capabilities gives one JSON array text per container;
 * - ka.req.service.ports gives the whole ports array as one JSON text;
 * - ka.sourceips reads requestObject.rules[].sourceIPs, and ....eff_run_as_user/group read
 *   `runAsUser`/`runAsGroup` directly under the pod spec and each container (not under their
 *   securityContext): so the plugin's code does, and the rules see what it sees.
 * A list field with no item has no value (libsinsp treats zero values as "not present").
 */
import type { ExtractRequest, PluginValue } from '../api';
import { asString, child, isObject, type Json, type JsonObject } from '../json/json-value';
import { CONTAINER_LISTS, type ContainerList } from './fields';
import { uriParam } from './uri';
import {
  ALL,
  at,
  itemStrings,
  NotAvailable,
  NOT_AVAILABLE,
  presentStrings,
  strings,
  stringsOr,
  walk,
  WrongType,
} from './walk';

type Handler = (doc: JsonObject, req: ExtractRequest) => string | string[];

/** the field's index argument, or ALL; a key argument counts as index 0, as libsinsp passes it */
function indexOf(req: ExtractRequest): number {
  return req.argPresent ? (req.argIndex ?? 0) : ALL;
}

const one =
  (...keys: string[]): Handler =>
  (doc) =>
    asString(at(doc, keys));

const list =
  (...keys: string[]): Handler =>
  (doc) =>
    itemStrings(at(doc, keys));

const annotation = (key: string): Handler => one('annotations', key);

function containerValues(doc: Json, l: ContainerList, index: number, ...sub: string[]): (Json | undefined)[] {
  return walk(doc, index, ['requestObject', 'spec', l, ...sub]);
}

function images(doc: Json, l: ContainerList, index: number): string[] {
  return strings(containerValues(doc, l, index, 'image'));
}

/** the image's repository: without its tag and digest */
function repository(image: string): string {
  return image.split(':')[0].split('@')[0];
}

/** each container's command (or args) joined by spaces; none at all: no value */
function joinedLists(doc: Json, l: ContainerList, index: number, key: string): string[] {
  const out: string[] = [];
  for (const v of containerValues(doc, l, index, key)) {
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw new WrongType();
    out.push(
      v
        .map((s) => {
          if (typeof s !== 'string') throw new WrongType();
          return s;
        })
        .join(' '),
    );
  }
  if (out.length === 0) throw NOT_AVAILABLE;
  return out;
}

/** each port's hostPort, or its containerPort (the host's port under hostNetwork) */
function hostPorts(doc: Json, l: ContainerList, index: number): string[] {
  const out: string[] = [];
  for (const ports of containerValues(doc, l, index, 'ports')) {
    if (ports === undefined) continue;
    if (!Array.isArray(ports)) throw new WrongType();
    for (const p of ports) {
      // (a JSON null is a value here, as in the Go plugin: no `??`)
      let v = child(p, 'hostPort');
      if (v === undefined) v = child(p, 'containerPort');
      if (v !== undefined) out.push(asString(v));
    }
  }
  return out;
}

function effective(doc: Json, l: ContainerList, index: number, key: string): string[] {
  const pod = child(child(child(doc, 'requestObject'), 'spec'), key);
  return stringsOr(containerValues(doc, l, index, key), pod === undefined ? '0' : asString(pod));
}

function securityContext(...sub: string[]): (doc: Json, l: ContainerList, index: number) => string[] {
  return (doc, l, index) => presentStrings(containerValues(doc, l, index, 'securityContext', ...sub));
}

const PER_CONTAINER: Record<string, (doc: Json, l: ContainerList, index: number) => string[]> = {
  args: (doc, l, i) => joinedLists(doc, l, i, 'args'),
  command: (doc, l, i) => joinedLists(doc, l, i, 'command'),
  name: (doc, l, i) => strings(containerValues(doc, l, i, 'name')),
  image: images,
  'image.repository': (doc, l, i) => images(doc, l, i).map(repository),
  host_port: hostPorts,
  privileged: securityContext('privileged'),
  allow_privilege_escalation: securityContext('allowPrivilegeEscalation'),
  read_only_fs: securityContext('readOnlyRootFilesystem'),
  run_as_user: securityContext('runAsUser'),
  eff_run_as_user: (doc, l, i) => effective(doc, l, i, 'runAsUser'),
  run_as_group: securityContext('runAsGroup'),
  eff_run_as_group: (doc, l, i) => effective(doc, l, i, 'runAsGroup'),
  proc_mount: securityContext('procMount'),
  add_capabilities: securityContext('capabilities', 'add'),
};

/** names of the binding's subjects of a kind; 'NamespacedServiceAccount': "namespace:name" */
function subjectNames(kind: string): Handler {
  const namespaced = kind === 'NamespacedServiceAccount';
  const want = namespaced ? 'ServiceAccount' : kind;
  return (doc) => {
    const subjects = child(child(doc, 'requestObject'), 'subjects');
    if (subjects === undefined) return [];
    if (!Array.isArray(subjects)) throw new WrongType();
    const out: string[] = [];
    for (const s of subjects) {
      const k = child(s, 'kind');
      const n = child(s, 'name');
      if (k === undefined || n === undefined || asString(k) !== want) continue;
      if (!namespaced) out.push(asString(n));
      else {
        const ns = child(s, 'namespace');
        if (ns !== undefined) out.push(`${asString(ns)}:${asString(n)}`);
      }
    }
    return out;
  };
}

/** requestObject.rules[].<key> items, flattened */
function rulesItems(key: string): Handler {
  return (doc, req) => {
    const out: string[] = [];
    for (const v of walk(doc, indexOf(req), ['requestObject', 'rules', key]))
      if (Array.isArray(v)) out.push(...presentStrings(v));
    return out;
  };
}

function podVolumes(doc: Json, req: ExtractRequest, ...sub: string[]): (Json | undefined)[] {
  return walk(doc, indexOf(req), ['requestObject', 'spec', 'volumes', ...sub]);
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const HANDLERS: Record<string, Handler> = {
  'ka.auditid': one('auditID'),
  'ka.stage': one('stage'),
  'ka.auth.decision': annotation('authorization.k8s.io/decision'),
  'ka.auth.reason': annotation('authorization.k8s.io/reason'),
  'ka.auth.openshift.decision': annotation('authentication.openshift.io/decision'),
  'ka.auth.openshift.username': annotation('authentication.openshift.io/username'),
  'ka.validations.admission.policy.failure': annotation('validation.policy.admission.k8s.io/validation_failure'),
  'ka.security.pod.violations': annotation('pod-security.kubernetes.io/audit-violations'),
  'ka.user.name': one('user', 'username'),
  'ka.user.groups': list('user', 'groups'),
  'ka.impuser.name': one('impersonatedUser', 'username'),
  'ka.verb': one('verb'),
  'ka.uri': one('requestURI'),
  'ka.uri.param': (doc, req) => {
    const v = uriParam(asString(at(doc, ['requestURI'])), req.argKey ?? '');
    if (v === undefined) throw NOT_AVAILABLE;
    return v;
  },
  'ka.target.name': one('objectRef', 'name'),
  'ka.target.namespace': one('objectRef', 'namespace'),
  'ka.target.resource': one('objectRef', 'resource'),
  'ka.target.subresource': one('objectRef', 'subresource'),
  'ka.target.pod.name': (doc) => {
    // only for the pod itself: not for one of its subresources (exec, attach, log...)
    const ref = child(doc, 'objectRef');
    if (str(child(ref, 'resource')) !== 'pods' || (str(child(ref, 'subresource')) ?? '') !== '') throw NOT_AVAILABLE;
    return asString(at(doc, ['responseObject', 'metadata', 'name']));
  },
  'ka.req.binding.subjects': list('requestObject', 'subjects'),
  'ka.req.binding.subjects.user_names': subjectNames('User'),
  'ka.req.binding.subjects.serviceaccount_names': subjectNames('ServiceAccount'),
  'ka.req.binding.subjects.serviceaccount_ns_names': subjectNames('NamespacedServiceAccount'),
  'ka.req.binding.subjects.group_names': subjectNames('Group'),
  'ka.req.binding.role': one('requestObject', 'roleRef', 'name'),
  'ka.req.binding.subject.has_name': () => 'true',
  'ka.req.configmap.name': one('objectRef', 'name'),
  'ka.req.configmap.obj': one('requestObject', 'data'),
  'ka.req.container.image': (doc) => images(doc, 'containers', 0)[0],
  'ka.req.container.image.repository': (doc) => repository(images(doc, 'containers', 0)[0]),
  'ka.req.pod.host_ipc': one('requestObject', 'spec', 'hostIPC'),
  'ka.req.pod.host_network': one('requestObject', 'spec', 'hostNetwork'),
  'ka.req.container.host_network': one('requestObject', 'spec', 'hostNetwork'),
  'ka.req.pod.host_pid': one('requestObject', 'spec', 'hostPID'),
  'ka.req.container.privileged': (doc) =>
    containerValues(doc, 'containers', ALL, 'securityContext', 'privileged').some((v) => v === true) ? 'true' : 'false',
  'ka.req.pod.run_as_user': one('requestObject', 'spec', 'securityContext', 'runAsUser'),
  'ka.req.pod.run_as_group': one('requestObject', 'spec', 'securityContext', 'runAsGroup'),
  'ka.req.role.rules': list('requestObject', 'rules'),
  'ka.req.role.rules.apiGroups': rulesItems('apiGroups'),
  'ka.req.role.rules.nonResourceURLs': rulesItems('nonResourceURLs'),
  'ka.req.role.rules.verbs': rulesItems('verbs'),
  'ka.req.role.rules.resources': rulesItems('resources'),
  'ka.req.pod.fs_group': one('requestObject', 'spec', 'securityContext', 'fsGroup'),
  'ka.req.pod.supplemental_groups': list('requestObject', 'spec', 'securityContext', 'supplementalGroups'),
  'ka.req.service.type': one('requestObject', 'spec', 'type'),
  'ka.req.service.ports': (doc, req) => presentStrings(walk(doc, indexOf(req), ['requestObject', 'spec', 'ports'])),
  'ka.req.volume.hostpath': (doc, req) => {
    const arg = req.argKey ?? '';
    const prefix = arg.endsWith('*') ? arg.slice(0, -1) : null;
    const paths = presentStrings(podVolumes(doc, req, 'hostPath', 'path'));
    return paths.some((p) => (prefix !== null && p.startsWith(prefix)) || p === arg) ? 'true' : 'false';
  },
  'ka.req.pod.volumes.hostpath': (doc, req) => presentStrings(podVolumes(doc, req, 'hostPath', 'path')),
  'ka.req.pod.volumes.flexvolume_driver': (doc, req) => presentStrings(podVolumes(doc, req, 'flexVolume', 'driver')),
  'ka.req.pod.volumes.volume_type': (doc, req) => {
    // a volume's type is the name of its source member: every key but "name"
    const out: string[] = [];
    for (const v of podVolumes(doc, req, ''))
      if (isObject(v)) for (const k of Object.keys(v)) if (k !== 'name') out.push(k);
    return out;
  },
  'ka.resp.name': one('responseObject', 'metadata', 'name'),
  'ka.response.code': one('responseStatus', 'code'),
  'ka.response.reason': one('responseStatus', 'reason'),
  'ka.useragent': one('userAgent'),
  'ka.sourceips': rulesItems('sourceIPs'),
  'ka.cluster.name': annotation('cluster_name'),
};

for (const l of CONTAINER_LISTS)
  for (const [name, f] of Object.entries(PER_CONTAINER))
    if (!(l === 'ephemeralContainers' && name === 'host_port'))
      HANDLERS[`ka.req.pod.${l}.${name}`] = (doc, req) => f(doc, l, indexOf(req));

/** the fields this extractor knows (the field table's names must all be here) */
export const EXTRACTED_FIELDS: ReadonlySet<string> = new Set(Object.keys(HANDLERS));

/**
 * One field of one audit event: a string, a non-empty list, or undefined (no value). Throws
 * a one-line error naming the field for a value of the wrong type or an unknown field.
 */
export function extractField(doc: Json, req: ExtractRequest): PluginValue {
  // documents that are not audit events (no auditID) have no k8saudit field
  if (child(doc, 'auditID') === undefined) return undefined;
  const h = HANDLERS[req.field];
  if (h === undefined) throw new Error(`k8saudit: unsupported extraction field: ${req.field}`);
  try {
    const v = h(doc as JsonObject, req);
    return Array.isArray(v) && v.length === 0 ? undefined : v;
  } catch (e) {
    if (e instanceof NotAvailable) return undefined;
    if (e instanceof WrongType) throw new Error(`k8saudit: ${req.field}: ${e.message}`, { cause: e });
    throw e;
  }
}
