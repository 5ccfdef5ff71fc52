/**
 * The k8saudit plugin's fields (../shared/plugins/k8saudit/README.md, plugin 0.18.0), in the
 * plugin's order: a field's index is its id. Every field is a string or a list of strings; an
 * index argument (`[N]`) selects the N-th item of the list the field walks, a key argument is
 * the field's parameter. Init and ephemeral containers repeat the per-container fields of
 * `ka.req.pod.containers.*` (ephemeral containers have no host_port).
 */
import type { PluginField } from '../api';

type Arg = '' | 'index' | 'key';
/** name, is a list, argument, description */
type Row = [string, boolean, Arg, string];

const ROWS: Row[] = [
  ['ka.auditid', false, '', 'The unique id of the audit event'],
  ['ka.stage', false, '', 'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)'],
  ['ka.auth.decision', false, '', 'The authorization decision'],
  ['ka.auth.reason', false, '', 'The authorization reason'],
  [
    'ka.auth.openshift.decision',
    false,
    '',
    'The authentication decision of the openshfit apiserver extention. Only available on openshift clusters',
  ],
  [
    'ka.validations.admission.policy.failure',
    false,
    '',
    'The validation failure reason from a Validation Admission Policy',
  ],
  ['ka.security.pod.violations', false, '', 'The violation reason for pod security policy'],
  [
    'ka.auth.openshift.username',
    false,
    '',
    'The user name performing the openshift authentication operation. Only available on openshift clusters',
  ],
  ['ka.user.name', false, '', 'The user name performing the request'],
  ['ka.user.groups', true, '', 'The groups to which the user belongs'],
  ['ka.impuser.name', false, '', 'The impersonated user name'],
  ['ka.verb', false, '', 'The action being performed'],
  ['ka.uri', false, '', 'The request URI as sent from client to server'],
  [
    'ka.uri.param',
    false,
    'key',
    'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val).',
  ],
  ['ka.target.name', false, '', 'The target object name'],
  ['ka.target.namespace', false, '', 'The target object namespace'],
  ['ka.target.resource', false, '', 'The target object resource'],
  ['ka.target.subresource', false, '', 'The target object subresource'],
  ['ka.target.pod.name', false, '', 'The target pod name'],
  [
    'ka.req.binding.subjects',
    true,
    '',
    'When the request object refers to a cluster role binding, the subject (e.g. account/users) being linked by the binding',
  ],
  [
    'ka.req.binding.subjects.user_names',
    true,
    '',
    'When the request object refers to a cluster role binding, the subject user names being linked by the binding',
  ],
  [
    'ka.req.binding.subjects.serviceaccount_names',
    true,
    '',
    'When the request object refers to a cluster role binding, the subject service account names being linked by the binding',
  ],
  [
    'ka.req.binding.subjects.serviceaccount_ns_names',
    true,
    '',
    'When the request object refers to a cluster role binding, the subject serviceaccount namespaced names being linked by the binding, e.g. a list containing: mynamespace:myserviceaccount',
  ],
  [
    'ka.req.binding.subjects.group_names',
    true,
    '',
    'When the request object refers to a cluster role binding, the subject group names being linked by the binding',
  ],
  [
    'ka.req.binding.role',
    false,
    '',
    'When the request object refers to a cluster role binding, the role being linked by the binding',
  ],
  [
    'ka.req.binding.subject.has_name',
    false,
    'key',
    'Deprecated, always returns "N/A". Only provided for backwards compatibility',
  ],
  ['ka.req.configmap.name', false, '', 'If the request object refers to a configmap, the configmap name'],
  ['ka.req.configmap.obj', false, '', 'If the request object refers to a configmap, the entire configmap object'],
  ['ka.req.pod.containers.args', true, 'index', "When the request object refers to a pod, the container's args."],
  ['ka.req.pod.containers.command', true, 'index', "When the request object refers to a pod, the container's command."],
  ['ka.req.pod.containers.name', true, 'index', "When the request object refers to a pod, the container's names."],
  ['ka.req.pod.containers.image', true, 'index', "When the request object refers to a pod, the container's images."],
  [
    'ka.req.container.image',
    false,
    '',
    'Deprecated by ka.req.pod.containers.image. Returns the image of the first container only',
  ],
  [
    'ka.req.pod.containers.image.repository',
    true,
    'index',
    'The same as req.container.image, but only the repository part (e.g. falcosecurity/falco).',
  ],
  [
    'ka.req.container.image.repository',
    false,
    '',
    'Deprecated by ka.req.pod.containers.image.repository. Returns the repository of the first container only',
  ],
  ['ka.req.pod.host_ipc', false, '', 'When the request object refers to a pod, the value of the hostIPC flag.'],
  ['ka.req.pod.host_network', false, '', 'When the request object refers to a pod, the value of the hostNetwork flag.'],
  ['ka.req.container.host_network', false, '', 'Deprecated alias for ka.req.pod.host_network'],
  ['ka.req.pod.host_pid', false, '', 'When the request object refers to a pod, the value of the hostPID flag.'],
  [
    'ka.req.pod.containers.host_port',
    true,
    'index',
    "When the request object refers to a pod, all container's hostPort values.",
  ],
  [
    'ka.req.pod.containers.privileged',
    true,
    'index',
    'When the request object refers to a pod, the value of the privileged flag for all containers.',
  ],
  [
    'ka.req.container.privileged',
    false,
    '',
    'Deprecated by ka.req.pod.containers.privileged. Returns true if any container has privileged=true',
  ],
  [
    'ka.req.pod.containers.allow_privilege_escalation',
    true,
    'index',
    'When the request object refers to a pod, the value of the allowPrivilegeEscalation flag for all containers',
  ],
  [
    'ka.req.pod.containers.read_only_fs',
    true,
    'index',
    'When the request object refers to a pod, the value of the readOnlyRootFilesystem flag for all containers',
  ],
  [
    'ka.req.pod.run_as_user',
    false,
    '',
    'When the request object refers to a pod, the runAsUser uid specified in the security context for the pod. See ....containers.run_as_user for the runAsUser for individual containers',
  ],
  [
    'ka.req.pod.containers.run_as_user',
    true,
    'index',
    'When the request object refers to a pod, the runAsUser uid for all containers',
  ],
  [
    'ka.req.pod.containers.eff_run_as_user',
    true,
    'index',
    'When the request object refers to a pod, the initial uid that will be used for all containers. This combines information from both the pod and container security contexts and uses 0 if no uid is specified',
  ],
  [
    'ka.req.pod.run_as_group',
    false,
    '',
    'When the request object refers to a pod, the runAsGroup gid specified in the security context for the pod. See ....containers.run_as_group for the runAsGroup for individual containers',
  ],
  [
    'ka.req.pod.containers.run_as_group',
    true,
    'index',
    'When the request object refers to a pod, the runAsGroup gid for all containers',
  ],
  [
    'ka.req.pod.containers.eff_run_as_group',
    true,
    'index',
    'When the request object refers to a pod, the initial gid that will be used for all containers. This combines information from both the pod and container security contexts and uses 0 if no gid is specified',
  ],
  [
    'ka.req.pod.containers.proc_mount',
    true,
    'index',
    'When the request object refers to a pod, the procMount types for all containers',
  ],
  [
    'ka.req.role.rules',
    true,
    '',
    'When the request object refers to a role/cluster role, the rules associated with the role',
  ],
  [
    'ka.req.role.rules.apiGroups',
    true,
    'index',
    "When the request object refers to a role/cluster role, the api groups associated with the role's rules",
  ],
  [
    'ka.req.role.rules.nonResourceURLs',
    true,
    'index',
    "When the request object refers to a role/cluster role, the non resource urls associated with the role's rules",
  ],
  [
    'ka.req.role.rules.verbs',
    true,
    'index',
    "When the request object refers to a role/cluster role, the verbs associated with the role's rules",
  ],
  [
    'ka.req.role.rules.resources',
    true,
    'index',
    "When the request object refers to a role/cluster role, the resources associated with the role's rules",
  ],
  [
    'ka.req.pod.fs_group',
    false,
    '',
    'When the request object refers to a pod, the fsGroup gid specified by the security context.',
  ],
  [
    'ka.req.pod.supplemental_groups',
    true,
    '',
    'When the request object refers to a pod, the supplementalGroup gids specified by the security context.',
  ],
  [
    'ka.req.pod.containers.add_capabilities',
    true,
    'index',
    'When the request object refers to a pod, all capabilities to add when running the container.',
  ],
  ['ka.req.service.type', false, '', 'When the request object refers to a service, the service type'],
  ['ka.req.service.ports', true, 'index', "When the request object refers to a service, the service's ports"],
  [
    'ka.req.pod.volumes.hostpath',
    true,
    'index',
    'When the request object refers to a pod, all hostPath paths specified for all volumes',
  ],
  [
    'ka.req.volume.hostpath',
    false,
    'key',
    'Deprecated by ka.req.pod.volumes.hostpath. Return true if the provided (host) path prefix is used by any volume',
  ],
  [
    'ka.req.pod.volumes.flexvolume_driver',
    true,
    'index',
    'When the request object refers to a pod, all flexvolume drivers specified for all volumes',
  ],
  [
    'ka.req.pod.volumes.volume_type',
    true,
    'index',
    'When the request object refers to a pod, all volume types for all volumes',
  ],
  ['ka.resp.name', false, '', 'The response object name'],
  ['ka.response.code', false, '', 'The response code'],
  ['ka.response.reason', false, '', 'The response reason (usually present only for failures)'],
  ['ka.useragent', false, '', 'The useragent of the client who made the request to the apiserver'],
  ['ka.sourceips', true, 'index', 'The IP addresses of the client who made the request to the apiserver'],
  ['ka.cluster.name', false, '', 'The name of the k8s cluster'],
];

/** the per-container fields of the init and ephemeral container lists, after ROWS */
function containerRows(list: string, label: string, withHostPort: boolean): Row[] {
  const p = `ka.req.pod.${list}.`;
  const podPrefix = 'When the request object refers to a pod, the';
  const rows: Row[] = [
    [p + 'name', true, 'index', `${podPrefix} ${label} names.`],
    [p + 'image', true, 'index', `${podPrefix} ${label} images.`],
    [
      p + 'image.repository',
      true,
      'index',
      `The same as ${p}image, but only the repository part (e.g. falcosecurity/falco).`,
    ],
    [p + 'command', true, 'index', `${podPrefix} ${label} commands.`],
    [p + 'args', true, 'index', `${podPrefix} ${label} args.`],
    [p + 'privileged', true, 'index', `${podPrefix} value of the privileged flag for all ${label}.`],
    [
      p + 'allow_privilege_escalation',
      true,
      'index',
      `${podPrefix} value of the allowPrivilegeEscalation flag for all ${label}.`,
    ],
    [p + 'read_only_fs', true, 'index', `${podPrefix} value of the readOnlyRootFilesystem flag for all ${label}.`],
    [p + 'run_as_user', true, 'index', `${podPrefix} runAsUser uid for all ${label}.`],
    [p + 'eff_run_as_user', true, 'index', effective('uid', label)],
    [p + 'run_as_group', true, 'index', `${podPrefix} runAsGroup gid for all ${label}.`],
    [p + 'eff_run_as_group', true, 'index', effective('gid', label)],
    [p + 'proc_mount', true, 'index', `${podPrefix} procMount type for all ${label}.`],
    [p + 'add_capabilities', true, 'index', `${podPrefix} capabilities added for all ${label}.`],
  ];
  if (withHostPort)
    rows.push([
      p + 'host_port',
      true,
      'index',
      `When the request object refers to a pod, all ${label} hostPort values.`,
    ]);
  return rows;
}

function effective(id: string, label: string): string {
  return (
    `When the request object refers to a pod, the initial ${id} that will be used for all ${label}. ` +
    `This combines information from both the pod and container security contexts and uses 0 if no ${id} is specified.`
  );
}

/** the container lists of a pod spec that have per-container fields */
export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

function toField([name, isList, arg, desc]: Row): PluginField {
  const f: PluginField = { name, type: 'string', desc };
  if (isList) f.isList = true;
  if (arg === 'index') f.arg = { isRequired: false, isIndex: true };
  if (arg === 'key') f.arg = { isRequired: true, isKey: true };
  return f;
}

export const K8SAUDIT_FIELDS: PluginField[] = [
  ...ROWS,
  ...containerRows('initContainers', 'init containers', true),
  ...containerRows('ephemeralContainers', 'ephemeral containers', false),
].map(toField);
