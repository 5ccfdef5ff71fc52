/**
 * Falco 0.44's command line (userspace/falco/app/options.cpp), parsed as its cxxopts 3.0.0
 * parses it: `--name`, `--name=value`, `-x value`, grouped short flags (`-LN`), a value glued
 * to a short option when it is alphanumeric (`-M5`); a boolean never takes the next word; the
 * last of a repeated single-value option wins. Errors carry cxxopts' wording, which Falco prints
 * as `Error: <message>`.
 */

export type ListFormat = 'text' | 'markdown' | 'json';

export interface FalcoOptions {
  help: boolean;
  /** -c: null when not given */
  config: string | null;
  configSchema: boolean;
  ruleSchema: boolean;
  disableSources: string[];
  enableSources: string[];
  dryRun: boolean;
  /** -i */
  ignoredEvents: boolean;
  /** -L */
  describeAll: boolean;
  /** -l RULE, '' when not given */
  describeRule: string;
  /** --list [=SOURCE]: null when not given, '' for every source */
  list: string | null;
  listEvents: boolean;
  listPlugins: boolean;
  /** -M */
  durationSec: number;
  format: ListFormat;
  /** -N */
  namesOnly: boolean;
  /** -o key=value, in order */
  options: string[];
  pluginInfo: string;
  /** -p (deprecated in Falco): appended to each rule's output */
  print: string;
  /** -P */
  pidfile: string;
  /** -r, in order */
  rules: string[];
  support: boolean;
  /** -U */
  unbuffered: boolean;
  /** -V, in order */
  validate: string[];
  /** -v */
  verbose: boolean;
  version: boolean;
  pageSize: boolean;
  /** words that are not options (cxxopts keeps them aside; Falco ignores them) */
  unmatched: string[];
}

/** A command-line error, worded as cxxopts (Falco prints `Error: ` and this, exit 1). */
export class FalcoUsageError extends Error {}

type Kind = 'bool' | 'string' | 'strings' | 'int' | 'implicit';

/** name → [field, kind]; aliases share a field */
const SPEC: Record<string, [keyof FalcoOptions, Kind]> = {
  h: ['help', 'bool'],
  help: ['help', 'bool'],
  c: ['config', 'string'],
  'config-schema': ['configSchema', 'bool'],
  'rule-schema': ['ruleSchema', 'bool'],
  'disable-source': ['disableSources', 'strings'],
  'dry-run': ['dryRun', 'bool'],
  'enable-source': ['enableSources', 'strings'],
  i: ['ignoredEvents', 'bool'],
  L: ['describeAll', 'bool'],
  l: ['describeRule', 'string'],
  list: ['list', 'implicit'],
  'list-events': ['listEvents', 'bool'],
  'list-plugins': ['listPlugins', 'bool'],
  M: ['durationSec', 'int'],
  markdown: ['format', 'bool'],
  format: ['format', 'string'],
  N: ['namesOnly', 'bool'],
  o: ['options', 'strings'],
  option: ['options', 'strings'],
  'plugin-info': ['pluginInfo', 'string'],
  p: ['print', 'string'],
  print: ['print', 'string'],
  P: ['pidfile', 'string'],
  pidfile: ['pidfile', 'string'],
  r: ['rules', 'strings'],
  support: ['support', 'bool'],
  U: ['unbuffered', 'bool'],
  unbuffered: ['unbuffered', 'bool'],
  V: ['validate', 'strings'],
  validate: ['validate', 'strings'],
  v: ['verbose', 'bool'],
  version: ['version', 'bool'],
  'page-size': ['pageSize', 'bool'],
};

// cxxopts' option_matcher: `--name[=value]` (name of 2+ characters) or `-group`
const LONG = /^--([A-Za-z0-9][-_A-Za-z0-9]+)(=(.*))?$/s;
const SHORT = /^-([A-Za-z0-9]+)$/;
const q = (s: string): string => `‘${s}’`;

export function parseFalcoArgs(args: readonly string[]): FalcoOptions {
  const o: FalcoOptions = {
    help: false,
    config: null,
    configSchema: false,
    ruleSchema: false,
    disableSources: [],
    enableSources: [],
    dryRun: false,
    ignoredEvents: false,
    describeAll: false,
    describeRule: '',
    list: null,
    listEvents: false,
    listPlugins: false,
    durationSec: 0,
    format: 'text',
    namesOnly: false,
    options: [],
    pluginInfo: '',
    print: '',
    pidfile: '',
    rules: [],
    support: false,
    unbuffered: false,
    validate: [],
    verbose: false,
    version: false,
    pageSize: false,
    unmatched: [],
  };
  let markdown = false;
  const fmt: { v: string | null } = { v: null };
  const set = (name: string, value: string | true): void => {
    const [field, kind] = SPEC[name];
    if (name === 'markdown') {
      markdown = boolValue(value);
      return;
    }
    if (name === 'format') {
      fmt.v = value as string;
      return;
    }
    const rec = o as unknown as Record<string, unknown>;
    if (kind === 'bool') rec[field] = boolValue(value);
    else if (kind === 'strings') (rec[field] as string[]).push(value as string);
    else if (kind === 'int') {
      if (!/^[-+]?\d+$/.test(value as string))
        throw new FalcoUsageError(`Argument ${q(value as string)} failed to parse`);
      rec[field] = Number(value);
    } else rec[field] = value === true ? '' : value;
  };
  /** a boolean or --list takes its implicit value; the others the next word */
  const takeNext = (name: string, i: number): number => {
    const kind = SPEC[name][1];
    if (kind === 'bool' || kind === 'implicit') {
      set(name, true);
      return i;
    }
    if (i + 1 >= args.length) throw new FalcoUsageError(`Option ${q(name)} is missing an argument`);
    set(name, args[i + 1]);
    return i + 1;
  };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      i++;
      break;
    }
    const long = LONG.exec(a);
    const short = long === null ? SHORT.exec(a) : null;
    if (long !== null) {
      const name = long[1];
      if (!(name in SPEC)) throw new FalcoUsageError(`Option ${q(name)} does not exist`);
      if (long[2] !== undefined) set(name, long[3]);
      else i = takeNext(name, i);
    } else if (short !== null) {
      const s = short[1];
      for (let k = 0; k < s.length; k++) {
        const name = s[k];
        if (!(name in SPEC)) throw new FalcoUsageError(`Option ${q(name)} does not exist`);
        const kind = SPEC[name][1];
        if (k + 1 === s.length) i = takeNext(name, i);
        else if (kind === 'bool' || kind === 'implicit') set(name, true);
        else {
          set(name, s.slice(k + 1));
          break;
        }
      }
    } else if (a.startsWith('-') && a.length > 1) {
      throw new FalcoUsageError(`Argument ${q(a)} starts with a - but has incorrect syntax`);
    } else o.unmatched.push(a);
  }
  o.unmatched.push(...args.slice(i));

  // options::parse's own checks
  const format = fmt.v;
  if (markdown && format !== null)
    throw new FalcoUsageError('Cannot specify both --markdown and --format options together');
  if (format !== null && format !== '') {
    const f = format.toLowerCase();
    if (f !== 'text' && f !== 'markdown' && f !== 'json')
      throw new FalcoUsageError(`Invalid format '${format}'. Valid values are: text, markdown, json`);
    o.format = f;
  } else if (markdown) {
    process.stderr.write('WARNING: --markdown is deprecated, use --format markdown instead.\n');
    o.format = 'markdown';
  }
  return o;
}

/** cxxopts' boolean values: true for a bare flag, else its truthy/falsy words */
function boolValue(v: string | true): boolean {
  if (v === true) return true;
  if (/^(t|T)(rue)?$|^1$/.test(v) || v === '') return true;
  if (/^(f|F)(alse)?$|^0$/.test(v)) return false;
  throw new FalcoUsageError(`Argument ‘${v}’ failed to parse`);
}
