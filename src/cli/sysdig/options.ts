/**
 * sysdig 0.29.3's command line (userspace/sysdig/sysdig.cpp): its option table and optstring,
 * and the options read in order as sysdig's switch reads them: informational options (-h,
 * -L, --version, --libs-version, -pp) end the parse at once, bad values end it with sysdig's
 * own line and status. The result is what a run needs, in sysdig's terms.
 */
import { Getopt, type LongOption } from './getopt';

/** sysdig's buffer formats before -j is applied (sinsp_evt::param_fmt) */
export type SysdigBufferFormat = 'normal' | 'ascii' | 'base64' | 'hex' | 'hexascii';

export interface SysdigArgs {
  /** -r, in order (sysdig reads each in turn) */
  files: string[];
  /** -w */
  write?: string;
  /** -z: gzip the -w output */
  compress: boolean;
  /** -p (not yet unescaped); undefined: the default line */
  format?: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  debug: boolean;
  /** -d: the filter only decides what is printed */
  displayFilter: boolean;
  summary: boolean;
  progress: boolean;
  unbuffered: boolean;
  bufferFormat: SysdigBufferFormat;
  /** -n; Infinity when not given (sysdig's -1) */
  numEvents: number;
  /** -M seconds */
  durationSec?: number;
  /** -s; 0: the default */
  snaplen: number;
  /** -t h|a|r|d|D */
  timeType?: string;
  rolloverMB?: number;
  rotateSec?: number;
  fileLimit?: number;
  eventLimit?: number;
  /** -l, --list-markdown */
  listFields: false | 'text' | 'markdown';
  /** -E: no user/group tables from the OS (ours come from the trace or /proc only: no effect) */
  excludeUsers: boolean;
  /** the operands, joined with single spaces */
  filter: string;
}

/** What the command line asks for: a run, or an exit with what to print. */
export type SysdigRequest =
  | { kind: 'run'; args: SysdigArgs }
  | {
      kind: 'exit';
      code: number;
      stdout?: string;
      stderr?: string;
      list?: 'events' | 'usage';
      /** a value sysdig throws on: it still prints the (empty) -S table and the -P end line, if given before */
      thrown?: { summary: boolean; progress: boolean };
    };

/** The container-friendly formats of -pc / -pk / -pm (sysdig.cpp). */
export const PRESET_FORMATS: Record<string, string> = {
  c: '*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info',
  k: '*%evt.num %evt.outputtime %evt.cpu %k8s.pod.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info',
  m: '*%evt.num %evt.outputtime %evt.cpu %mesos.task.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info',
};
PRESET_FORMATS.container = PRESET_FORMATS.c;
PRESET_FORMATS.kubernetes = PRESET_FORMATS.k;
PRESET_FORMATS.mesos = PRESET_FORMATS.m;

/** sysdig's default line, as -pp prints it (piped and on a terminal) */
export const DEFAULT_FORMAT =
  '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';
export const DEFAULT_TTY_FORMAT =
  '*%evt.num %evt.outputtime %evt.cpu \\e[01;32m%proc.name\\e[00m (\\e[01;36m%proc.pid\\e[00m.%thread.tid) %evt.dir \\e[01;34m%evt.type\\e[00m %evt.info';

export const SYSDIG_VERSION = '0.29.3';
export const LIBS_VERSION = '0.1.1dev+git20220316.e5c53d64';

const OPTSTRING = 'AbB::c:C:dDEe:FG:hH:I:i:jk:K:lLm:M:n:Pp:qRr:Ss:t:TU:uvW:w:xXz';

/**
 * sysdig 0.29.3's long_options, in its order (the order of glibc's "possibilities" list):
 * NAME, ':' when it takes an argument ('::' optional), '=X' for the short option it stands for
 */
const LONG_SPEC =
  'print-ascii=A print-base64=b bpf::=B chisel:=c list-chisels cri: cri-timeout: displayflt=d ' +
  'debug=D exclude-users=E event-limit:=e fatfile=F filter-proclist seconds:=G help=h plugin:=H ' +
  'input:=I chisel-info:=i file-size:=C json=j k8s-api:=k node-name:=N k8s-api-cert:=K ' +
  'large-environment list=l list-events=L list-markdown libs-version mesos-api:=m numevents:=n ' +
  'page-faults plugin-config-file: progress:=P print:=p quiet=q resolve-ports=R readfile:=r ' +
  'snaplen:=s summary=S suppress-comm:=U udig:=u timetype:=t force-tracers-capture:=T unbuffered ' +
  'verbose=v version writefile:=w limit:=W print-hex=x print-hex-ascii=X compress=z';

const LONG_OPTIONS: readonly LongOption[] = LONG_SPEC.split(' ').map((t) => {
  const m = /^([a-z0-9-]+)(:{0,2})(?:=(.))?$/.exec(t)!;
  return { name: m[1], arg: m[2] === '' ? 'none' : m[2] === ':' ? 'required' : 'optional', short: m[3] ?? null };
});

/** Options of sysdig that need what falco-ts has not (chisels, plugins, k8s/mesos clients, udig). */
const UNSUPPORTED: Record<string, string> = {
  B: 'BPF probe files (falco-ts loads its own probe)',
  c: 'chisels',
  'list-chisels': 'chisels',
  i: 'chisels',
  cri: 'a CRI socket path (container runtimes are found by themselves)',
  'cri-timeout': 'a CRI timeout',
  H: 'plugins',
  I: 'plugins',
  'plugin-config-file': 'plugins',
  k: 'the Kubernetes API client',
  N: 'the Kubernetes API client',
  K: 'the Kubernetes API client',
  m: 'the Mesos API client',
  u: 'udig',
  U: 'comm suppression (-U)',
  R: 'port name resolution (-R)',
  'page-faults': 'page fault events',
  T: 'tracers capture',
  'filter-proclist': 'filtering the process table (--filter-proclist)',
};

/** C's atoi: leading blanks, a sign, digits; anything else ends the number (0 if none). */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  const n = Number(m[1]);
  // (int overflow is undefined in C; glibc's atoi is strtol truncated to int)
  return Math.trunc(n) | 0;
}

/** strtoul(s, NULL, 0): base from the prefix (0x hex, 0 octal), a minus sign wraps around. */
export function strtoul0(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(s);
  if (m === null) return 0;
  const t = m[2];
  const v = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t[0] === '0' ? parseInt(t, 8) : Number(t);
  return m[1] === '-' && v !== 0 ? Number.MAX_SAFE_INTEGER : v;
}

/** sinsp_numparser::parseu64: sscanf "%lu%1s" must read exactly one number. */
function parseU64(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)[ \t\n\v\f\r]*$/.exec(s);
  if (m === null) return null;
  // a negative count wraps to a huge one: no limit in practice
  return m[1] === '-' && Number(m[2]) !== 0 ? Infinity : Number(m[2]);
}

const fail = (line: string, code = 1): SysdigRequest => ({ kind: 'exit', code, stderr: line + '\n' });

/** Reads sysdig's command line (`args`: argv after the program name). */
export function parseSysdigArgs(args: readonly string[], prog = 'sysdig', stdoutIsTTY = false): SysdigRequest {
  const a: SysdigArgs = {
    files: [],
    compress: false,
    json: false,
    quiet: false,
    verbose: false,
    debug: false,
    displayFilter: false,
    summary: false,
    progress: false,
    unbuffered: false,
    bufferFormat: 'normal',
    numEvents: Infinity,
    snaplen: 0,
    listFields: false,
    excludeUsers: false,
    filter: '',
  };
  const g = new Getopt(prog, OPTSTRING, LONG_OPTIONS);
  const thrown = (line: string): SysdigRequest => ({
    kind: 'exit',
    code: 1,
    stderr: line + '\n',
    thrown: { summary: a.summary, progress: a.progress },
  });
  const setBuffer = (f: SysdigBufferFormat, codeIfTwice: number): SysdigRequest | null => {
    if (a.bufferFormat !== 'normal') return fail('you cannot specify more than one output format', codeIfTwice);
    a.bufferFormat = f;
    return null;
  };
  for (const item of g.parse(args)) {
    if ('error' in item) return fail(item.error);
    const { key, arg } = item.option;
    const v = arg ?? '';
    if (key in UNSUPPORTED) {
      const what = UNSUPPORTED[key];
      const flag = item.option.long !== undefined ? `--${item.option.long}` : `-${key}`;
      return fail(`${prog}: option ${flag}: ${what} not supported by falco-ts`);
    }
    let r: SysdigRequest | null = null;
    switch (key) {
      // (sysdig returns EXIT_SUCCESS for a second format given after -A or -b: kept)
      case 'A':
        r = setBuffer('ascii', 0);
        break;
      case 'b':
        r = setBuffer('base64', 0);
        break;
      case 'x':
        r = setBuffer('hex', 1);
        break;
      case 'X':
        r = setBuffer('hexascii', 1);
        break;
      case 'C':
        a.rolloverMB = atoi(v);
        if (a.rolloverMB <= 0) return thrown(`invalid file size${v}`);
        break;
      case 'D':
        a.debug = true;
        break;
      case 'E':
        a.excludeUsers = true;
        break;
      case 'e':
        a.eventLimit = strtoul0(v);
        if (a.eventLimit <= 0) return thrown(`invalid parameter 'number of events' ${v}`);
        break;
      case 'F':
        break; // fatfile: a filtered -w always keeps the state events, hidden (see README)
      case 'G':
        a.rotateSec = atoi(v);
        if (a.rotateSec <= 0) return thrown(`invalid duration${v}`);
        break;
      case 'd':
        a.displayFilter = true;
        break;
      case 'j':
        a.json = true;
        break;
      case 'h':
        return { kind: 'exit', code: 0, list: 'usage' };
      case 'l':
        a.listFields = a.listFields === 'markdown' ? 'markdown' : 'text';
        break;
      case 'L':
        return { kind: 'exit', code: 0, list: 'events' };
      case 'M':
        a.durationSec = atoi(v);
        if (a.durationSec <= 0) return thrown(`invalid duration${v}`);
        break;
      case 'n': {
        const n = parseU64(v);
        if (n === null) return thrown("can't parse the -n argument, make sure it's a number");
        if (n <= 0) return thrown(`invalid event count ${v}`);
        a.numEvents = n;
        break;
      }
      case 'P':
        a.progress = true;
        break;
      case 'p':
        if (v === 'p')
          return { kind: 'exit', code: 0, stdout: (stdoutIsTTY ? DEFAULT_TTY_FORMAT : DEFAULT_FORMAT) + '\n' };
        a.format = PRESET_FORMATS[v] ?? v;
        break;
      case 'q':
        a.quiet = true;
        break;
      case 'r':
        a.files.push(v);
        break;
      case 'S':
        a.summary = true;
        break;
      case 's':
        a.snaplen = atoi(v);
        break;
      case 't':
        if (!['h', 'a', 'r', 'd', 'D'].includes(v)) return fail('invalid modifier for flag -t');
        a.timeType = v;
        break;
      case 'v':
        a.verbose = true;
        break;
      case 'w':
        a.write = v;
        a.quiet = true;
        break;
      case 'W':
        a.fileLimit = atoi(v);
        if (a.fileLimit <= 0) return thrown(`invalid file limit${v}`);
        break;
      case 'z':
        a.compress = true;
        break;
      case 'version':
        return { kind: 'exit', code: 0, stdout: `sysdig version ${SYSDIG_VERSION}\n` };
      case 'libs-version':
        // (sysdig prints no newline here)
        return { kind: 'exit', code: 0, stdout: `falcosecurity/libs version ${LIBS_VERSION}` };
      case 'unbuffered':
        a.unbuffered = true;
        break;
      case 'large-environment':
        break; // environments are read whole from the trace or /proc already
      case 'list-markdown':
        a.listFields = 'markdown';
        break;
    }
    if (r !== null) return r;
  }
  // -w while reading files: sysdig shows its progress
  if (a.write !== undefined && a.files.length > 0) a.progress = true;
  a.filter = g.operands.join(' ');
  return { kind: 'run', args: a };
}
