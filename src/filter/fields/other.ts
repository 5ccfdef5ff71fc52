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
  const m = /^[^\s\[\]]+/.exec(rest);
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
  K8S.push(none('k8s', `k8s.${o}.name`, 'CHARBUF', PF.NA, `Kubernetes ${what} name.`));
  K8S.push(none('k8s', `k8s.${o}.id`, 'CHARBUF', PF.NA, `Kubernetes ${what} id.`));
  K8S.push(
    none('k8s', `k8s.${o}.label`, 'CHARBUF', PF.NA, `Kubernetes ${what} label. E.g. 'k8s.${o}.label.foo'.`, {
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
  none('span', 'span.id', 'INT64', PF.DEC, 'ID of the span.'),
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
    "one of the span's tags, specified by 0-based offset, e.g. 'span.tag[1]'.",
    { arg: 'required' },
  ),
  none('span', 'span.args', 'CHARBUF', PF.NA, "comma-separated list of the span's arguments."),
  none(
    'span',
    'span.arg',
    'CHARBUF',
    PF.NA,
    "one of the span arguments, specified by name or by 0-based offset. E.g. 'span.arg.xxx' or 'span.arg[1]'.",
    { arg: 'required', dotted: KEY },
  ),
  none('span', 'span.enterargs', 'CHARBUF', PF.NA, "comma-separated list of the span's enter tracer event arguments."),
  none(
    'span',
    'span.enterarg',
    'CHARBUF',
    PF.NA,
    "one of the span's enter arguments, specified by name or by 0-based offset.",
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
for (const scope of ['', 'p.', 's.', 'm.']) {
  for (const f of ['id', 'ntags', 'nargs', 'tags', 'tag', 'args', 'arg']) {
    const argful = f === 'tag' || f === 'arg';
    SPAN.push(
      none(
        'evtin',
        `evtin.span.${scope}${f}`,
        f === 'id' ? 'INT64' : f === 'ntags' || f === 'nargs' ? 'UINT32' : 'CHARBUF',
        PF.NA,
        `accepts all the events that are between the enter and exit tracers of the spans with the given ${f}${scope === '' ? '' : ` (${scope.slice(0, 1)} scope)`}.`,
        { filterOnly: true, ...(argful ? { arg: 'required', dotted: KEY } : {}) },
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
