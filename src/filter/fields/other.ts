/**
 * Field classes whose data trace files do not carry (k8s, mesos/marathon, tracer spans):
 * registered so conditions and outputs compile, extracting no value. util.cnt is a counter.
 */
import { FieldError } from '../field-api';
import { FieldSpec } from './common';
import { PF } from '../../event/types';
import { K8S_CONTAINER_FIELDS } from './container';
import { FDLIST_FIELDS } from './fdlist';
import { SYSLOG_FIELDS } from './syslog';

const KEY = (rest: string): number => {
  const m = /^[^\s[\]]+/.exec(rest);
  return m ? m[0].length : 0;
};

function none(
  cls: string,
  name: string,
  ptype: string,
  pf: PF,
  desc: string,
  more: Partial<FieldSpec> = {},
): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls,
    ...more,
    make: (arg) => {
      if (more.arg === 'required' && arg === '') throw new FieldError(`${name} requires an argument`);
      return { extract: () => null };
    },
  };
}

const K8S: FieldSpec[] = [];
for (const o of ['pod', 'rc', 'svc', 'ns', 'rs', 'deployment']) {
  const what = {
    pod: 'pod',
    rc: 'replication controller',
    svc: 'service',
    ns: 'namespace',
    rs: 'replica set',
    deployment: 'deployment',
  }[o];
  // a pod can belong to several services: sysdig 0.29.3 said so
  const many = o === 'svc' ? ' (can return more than one value, concatenated)' : '';
  K8S.push(none('k8s', `k8s.${o}.name`, 'CHARBUF', PF.NA, `Kubernetes ${what} name${many}.`));
  K8S.push(none('k8s', `k8s.${o}.id`, 'CHARBUF', PF.NA, `Kubernetes ${what} id${many}.`));
  K8S.push(
    none('k8s', `k8s.${o}.label`, 'CHARBUF', PF.NA, `Kubernetes ${what} label. E.g. 'k8s.${o}.label.foo'${many}.`, {
      arg: 'required',
      dotted: KEY,
    }),
  );
  K8S.push(
    none(
      'k8s',
      `k8s.${o}.labels`,
      'CHARBUF',
      PF.NA,
      `Kubernetes ${what} comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'.`,
    ),
  );
}
K8S.push(none('k8s', 'k8s.pod.uid', 'CHARBUF', PF.NA, 'Kubernetes pod UID.'));
K8S.push(none('k8s', 'k8s.pod.sandbox_id', 'CHARBUF', PF.NA, 'Kubernetes pod sandbox id (first 12 characters).'));
K8S.push(none('k8s', 'k8s.pod.full_sandbox_id', 'CHARBUF', PF.NA, 'Kubernetes pod sandbox id.'));
K8S.push(none('k8s', 'k8s.pod.ip', 'CHARBUF', PF.NA, 'Kubernetes pod ip.'));
K8S.push(
  none(
    'k8s',
    'k8s.pod.cni.json',
    'CHARBUF',
    PF.NA,
    'Kubernetes pod CNI result field from the respective pod status info.',
  ),
);

const MESOS: FieldSpec[] = [
  none('mesos', 'mesos.task.name', 'CHARBUF', PF.NA, 'Mesos task name.'),
  none('mesos', 'mesos.task.id', 'CHARBUF', PF.NA, 'Mesos task id.'),
  none('mesos', 'mesos.task.label', 'CHARBUF', PF.NA, "Mesos task label. E.g. 'mesos.task.label.foo'.", {
    arg: 'required',
    dotted: KEY,
  }),
  none(
    'mesos',
    'mesos.task.labels',
    'CHARBUF',
    PF.NA,
    "Mesos task comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'.",
  ),
  none('mesos', 'mesos.framework.name', 'CHARBUF', PF.NA, 'Mesos framework name.'),
  none('mesos', 'mesos.framework.id', 'CHARBUF', PF.NA, 'Mesos framework id.'),
  none('mesos', 'marathon.app.name', 'CHARBUF', PF.NA, 'Marathon app name.'),
  none('mesos', 'marathon.app.id', 'CHARBUF', PF.NA, 'Marathon app id.'),
  none('mesos', 'marathon.app.label', 'CHARBUF', PF.NA, "Marathon app label. E.g. 'marathon.app.label.foo'.", {
    arg: 'required',
    dotted: KEY,
  }),
  none(
    'mesos',
    'marathon.app.labels',
    'CHARBUF',
    PF.NA,
    "Marathon app comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'.",
  ),
  none('mesos', 'marathon.group.name', 'CHARBUF', PF.NA, 'Marathon group name.'),
  none('mesos', 'marathon.group.id', 'CHARBUF', PF.NA, 'Marathon group id.'),
];

const SPAN: FieldSpec[] = [
  none(
    'span',
    'span.id',
    'INT64',
    PF.DEC,
    'ID of the span. This is a unique identifier that is used to match the enter and exit tracer events for this span. It can also be used to match different spans belonging to a trace.',
  ),
  none(
    'span',
    'span.time',
    'CHARBUF',
    PF.NA,
    "time of the span's enter tracer as a human readable string that includes the nanosecond part.",
  ),
  none('span', 'span.ntags', 'UINT32', PF.DEC, 'number of tags that this span has.'),
  none('span', 'span.nargs', 'UINT32', PF.DEC, 'number of arguments that this span has.'),
  none('span', 'span.tags', 'CHARBUF', PF.NA, "dot-separated list of all of the span's tags."),
  none(
    'span',
    'span.tag',
    'CHARBUF',
    PF.NA,
    "one of the span's tags, specified by 0-based offset, e.g. 'span.tag[1]'. You can use a negative offset to pick elements from the end of the tag list. For example, 'span.tag[-1]' returns the last tag.",
    { arg: 'required' },
  ),
  none('span', 'span.args', 'CHARBUF', PF.NA, "comma-separated list of the span's arguments."),
  none(
    'span',
    'span.arg',
    'CHARBUF',
    PF.NA,
    "one of the span arguments, specified by name or by 0-based offset. E.g. 'span.arg.xxx' or 'span.arg[1]'. You can use a negative offset to pick elements from the end of the tag list. For example, 'span.arg[-1]' returns the last argument.",
    { arg: 'required', dotted: KEY },
  ),
  none(
    'span',
    'span.enterargs',
    'CHARBUF',
    PF.NA,
    "comma-separated list of the span's enter tracer event arguments. For enter tracers, this is the same as evt.args. For exit tracers, this is the evt.args of the corresponding enter tracer.",
  ),
  none(
    'span',
    'span.enterarg',
    'CHARBUF',
    PF.NA,
    "one of the span's enter arguments, specified by name or by 0-based offset. For enter tracer events, this is the same as evt.arg. For exit tracer events, this is the evt.arg of the corresponding enter event.",
    { arg: 'required', dotted: KEY },
  ),
  none(
    'span',
    'span.duration',
    'RELTIME',
    PF.DEC,
    "delta between this span's exit tracer event and the enter tracer event.",
  ),
  none(
    'span',
    'span.duration.human',
    'CHARBUF',
    PF.NA,
    "delta between this span's exit tracer event and the enter event, as a human readable string (e.g. 10.3ms).",
  ),
];
/** sysdig 0.29.3's descriptions of the evtin.span.* fields, word for word (its s./m. ones all name evtin.span.id) */
const EVTIN_WHAT: Record<string, string> = {
  id: 'ID',
  ntags: 'number of tags',
  nargs: 'number of arguments',
  tags: 'tags',
  tag: 'tag',
  args: 'arguments',
  arg: 'argument',
};
function evtinDesc(scope: string, f: string): string {
  switch (scope) {
    case 'p.':
      return `same as evtin.span.${f}, but also accepts events generated by other threads in the same process that produced the span.`;
    case 's.':
      return 'same as evtin.span.id, but also accepts events generated by the script that produced the span, i.e. by the processes whose parent PID is the same as the one of the process generating the span.';
    case 'm.':
      return 'same as evtin.span.id, but accepts all the events generated on the machine during the span, including other threads and other processes.';
    default: {
      const see =
        f === 'tag' || f === 'arg'
          ? ` See the description of span.${f} for information about the syntax accepted by this field.`
          : '';
      return `accepts all the events that are between the enter and exit tracers of the spans with the given ${EVTIN_WHAT[f]} and are generated by the same thread that generated the tracers.${see}`;
    }
  }
}
for (const scope of ['', 'p.', 's.', 'm.']) {
  for (const f of ['id', 'ntags', 'nargs', 'tags', 'tag', 'args', 'arg']) {
    const argful = f === 'tag' || f === 'arg';
    SPAN.push(
      none(
        'evtin',
        `evtin.span.${scope}${f}`,
        f === 'id' ? 'INT64' : f === 'ntags' || f === 'nargs' ? 'UINT32' : 'CHARBUF',
        PF.NA,
        evtinDesc(scope, f),
        argful ? { arg: 'required', dotted: KEY } : {},
      ),
    );
  }
}

export const OTHER_FIELDS: FieldSpec[] = [
  ...K8S.map((s) => K8S_CONTAINER_FIELDS.find((k) => k.name === s.name) ?? s),
  ...MESOS,
  ...SYSLOG_FIELDS,
  ...FDLIST_FIELDS,
  ...SPAN,
  {
    name: 'util.cnt',
    ptype: 'UINT64',
    pf: PF.ID,
    cls: 'util',
    desc: 'incremental counter.',
    make: () => {
      let n = 0;
      return { extract: () => ++n };
    },
  },
];
