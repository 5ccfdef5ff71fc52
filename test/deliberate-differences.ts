/**
 * Every deliberate difference between falco-ts and sysdig 0.29.3 that the comparison tests
 * allow, each listed once, by name, with its reason. Nothing else may differ: the comparisons
 * (sysdig-compat*.test.ts, filter-oracle.test.ts, list.test.ts) require equal output line for
 * line and apply these entries by name, and each checks that the entries it applies still
 * change something, so a stale entry fails instead of hiding a regression.
 *
 * Kinds, and how the tests apply them:
 * - `sysdig-cannot-open`: sysdig fails on `capture`; our output of it is compared with sysdig's
 *   output of `sameEventsAs`, a capture holding the same events.
 * - `events-sysdig-drops`: events of codes >= `minCode` (unknown to 0.29.3's libs) are printed
 *   by us and dropped by sysdig; the lines are compared on a copy of the capture without those
 *   event blocks (checked: sysdig prints the same for the copy; we print more for the original).
 * - `sysdig-json-null`: a normalisation of sysdig's JSON lines: a `null` it prints for one of
 *   `fields` becomes the value current libs give (`value(line)`).
 * - `fields-left-out`: on `captures`, `fields` are taken out of every -p format on both sides
 *   (checked: with the field, the outputs differ or sysdig fails).
 * - `not-compared`: `fields` are in no format of the comparisons (checked), for the reason given.
 * - `filter-order`: filter cases that depend on where the filter runs use
 *   `replay --sysdig-filter-order`.
 * - `field-type`: `list fields` shows current libs' type (checked against
 *   ../shared/docs/libs-fields-current.txt) where 0.29.3's `sysdig -l` shows another.
 * - `field-description`: `list fields` words the description differently, for the reason given.
 */

export type Difference = { reason: string } & (
  | { kind: 'sysdig-cannot-open'; capture: string; sameEventsAs: string }
  | { kind: 'events-sysdig-drops'; minCode: number; captures: string[] }
  | { kind: 'sysdig-json-null'; fields: string[]; value: (field: string, line: Record<string, unknown>) => unknown }
  | { kind: 'fields-left-out'; captures: string[]; fields: string[] }
  | { kind: 'not-compared'; fields: string[] }
  | { kind: 'filter-order' }
  | { kind: 'field-type'; types: Record<string, { sysdig: string; ours: string }> }
  | { kind: 'field-description'; fields: string[] }
);

/** sysdig 0.29.3's libs (e5c53d64) know event codes below this (PPM_EVENT_MAX). */
const E5C53D64_EVENT_MAX = 336;

/**
 * current libs' value of a name field whose id is missing from the trace's user/group tables;
 * null (no change) where the line has no id (an event without a thread has no user at all)
 */
function currentLibsName(field: string, line: Record<string, unknown>): unknown {
  const [idField, ofZero] = (
    {
      'user.name': ['user.uid', 'root'],
      'user.homedir': ['user.uid', '/root'],
      'user.shell': ['user.uid', '<NA>'],
      'user.loginname': ['user.loginuid', 'root'],
      'group.name': ['group.gid', 'root'],
    } as Record<string, [string, string]>
  )[field] ?? ['', ''];
  const id = line[idField];
  if (typeof id !== 'number') return null;
  return id === 0 ? ofZero : '<NA>';
}

export const DIFFERENCES = {
  'shb-options': {
    kind: 'sysdig-cannot-open',
    capture: 'libs_curl_google_comments.scap',
    sameEventsAs: 'libs_curl_google.scap',
    reason:
      'its section header block carries pcapng options, which 0.29.3 cannot skip (libs read them since 0.21); ' +
      'falco-ts reads it. Its events are those of libs_curl_google.scap.',
  },
  'later-libs-events': {
    kind: 'events-sysdig-drops',
    minCode: E5C53D64_EVENT_MAX,
    captures: ['libs_sample.scap'],
    reason:
      'events of codes added by later libs (user_added/group_added in libs_sample.scap) are decoded and ' +
      'printed by falco-ts; 0.29.3 drops them silently, so its evt.num skips them and its relative times ' +
      'start at the first event it knows.',
  },
  'names-of-missing-ids': {
    kind: 'sysdig-json-null',
    fields: ['user.name', 'user.homedir', 'user.shell', 'user.loginname', 'group.name'],
    value: currentLibsName,
    reason:
      'for an id missing from the trace\'s user/group tables falco-ts follows current libs ("root" for 0, ' +
      'else "<NA>"); 0.29.3 has no value (null with -j; a format without * drops the line).',
  },
  'newer-proclist-layout': {
    kind: 'fields-left-out',
    captures: ['libs_sample.scap'],
    fields: ['proc.tty', 'user.loginuid', 'user.loginname'],
    reason:
      'the process list was written by libs >= 0.10, which insert pidns_init_start_ts and tty before ' +
      'loginuid; 0.29.3 reads the older layout (loginuid -420151296, no tty), falco-ts reads it as current ' +
      'libs do (tty 34817, loginuid 1000 = vagrant).',
  },
  'totexectime-of-tid-minus-1': {
    kind: 'fields-left-out',
    captures: ['falco_psp_privileged.scap'],
    fields: ['thread.totexectime'],
    reason:
      '0.29.3 aborts ("invalid thread state ID0") extracting thread.totexectime of the container event of ' +
      'tid -1 that the capture holds; falco-ts prints 0.',
  },
  'fd-dev-of-non-files': {
    kind: 'not-compared',
    fields: ['fd.dev', 'fd.dev.major', 'fd.dev.minor'],
    reason:
      'for sockets, pipes and other non-file fds 0.29.3 prints uninitialized memory (it changes from run to ' +
      "run); falco-ts prints 0, or for fds of the trace's fd list the value carried over from the thread's " +
      'previous file entry, as libsinsp does.',
  },
  'sysdig-json-aborts': {
    kind: 'not-compared',
    fields: ['evt.rawarg.res', 'proc.fdusage'],
    reason: '0.29.3 aborts ("wrong event type") printing them with -j; falco-ts prints them.',
  },
  'filter-after-state': {
    kind: 'filter-order',
    reason:
      'filters run after the state has seen the event, as in current libs; 0.29.3 filters events without ' +
      'EF_MODIFIES_STATE before parsing them, so a rejected enter leaves its exit without fd or enter data, ' +
      'rejected mmap/brk exits do not update proc.vmsize, proc.vmrss is seen before the event updates it and ' +
      'fd.name_changed is never true in a filter. replay --sysdig-filter-order emulates that order.',
  },
  'types-of-current-libs': {
    kind: 'field-type',
    types: {
      'proc.tty': { sysdig: 'INT32', ours: 'UINT32' },
      'proc.nthreads': { sysdig: 'UINT32', ours: 'UINT64' },
      'proc.nchilds': { sysdig: 'UINT32', ours: 'UINT64' },
      'user.loginuid': { sysdig: 'INT32', ours: 'INT64' },
    },
    reason:
      'field types follow current libs where they changed (so proc.tty > -2 compares as a wrapped unsigned ' +
      'value, as current Falco does).',
  },
  'descriptions-of-current-libs': {
    kind: 'field-description',
    fields: ['proc.exe', 'proc.args', 'proc.env', 'proc.loginshellid', 'container.mount', 'fd.type', 'fd.typechar'],
    reason:
      'these fields grew in current libs and their descriptions say so: proc.args[N], proc.env[NAME], the ' +
      'memfd, bpf, userfaultfd and io_uring fd types, glob mount sources; proc.loginshellid no longer ' +
      'points to chisels, which falco-ts does not have.',
  },
  'descriptions-of-our-values': {
    kind: 'field-description',
    fields: ['user.name', 'group.name', 'user.loginuid', 'container.id', 'k8s.deployment.label'],
    reason:
      'they say what falco-ts prints where 0.29.3 said less: <NA>/root for ids missing from the tables ' +
      '(names-of-missing-ids), -1 for an unset loginuid, "host" and 12 characters for container.id; ' +
      "k8s.deployment.label's example names the field itself (0.29.3's says k8s.rs.label.foo).",
  },
} satisfies Record<string, Difference>;

export type DifferenceName = keyof typeof DIFFERENCES;
