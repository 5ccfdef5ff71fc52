/**
 * Filter-string generators: random expressions from the grammar of
 * ../shared/docs/filter-language.md §2, conditions taken from ../shared/rules (with their
 * macros and lists), character- and token-level mutations of both, and pathological shapes
 * (deep nesting, long chains, huge lists, long strings, catastrophic regexes and globs).
 */
import { Rng } from './prng';

export const OPS_NUM = ['<=', '<', '>=', '>'];
export const OPS_STR = [
  '=',
  '==',
  '!=',
  'glob',
  'iglob',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'regex',
];
export const OPS_LIST = ['in', 'intersects', 'pmatch'];
export const MODIFIERS = ['oneof', 'anyof', 'allof'];
export const TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'];

/** Fields with arguments that reach the argument parsers. */
const ARG_FORMS = [
  'evt.arg[0]',
  'evt.arg[1]',
  'evt.arg[99]',
  'evt.arg[-1]',
  'evt.arg.fd',
  'evt.arg.name',
  'evt.arg.res',
  'evt.rawarg.fd',
  'evt.rawarg.res',
  'evt.rawarg.size',
  'proc.aname[1]',
  'proc.aname[0]',
  'proc.aname[1000000000000]',
  'proc.apid[2]',
  'proc.aexe[3]',
  'proc.aexepath[1]',
  'proc.acmdline[2]',
  'proc.env[PATH]',
  'proc.env[]',
  'proc.args[1]',
  'fd.types[0]',
  'evt.type.is.open',
  'evt.type.is.',
  'thread.cgroup.cpu',
  'proc.cmdnargs',
  'evt.around[1000]',
  'fs.path.name',
  'fd.cip',
  'fd.sip',
  'fd.net',
  'fd.cnet',
  'fd.snet',
  'k8s.pod.label.app',
  'container.label[foo]',
  'container.image.tag',
  'evt.buffer',
  'evt.res',
  'evt.latency',
  'evt.rawtime',
  'evt.count.error',
  'proc.pname',
  'proc.vpgid.name',
  'proc.is_exe_writable',
  'fd.name',
  'fd.directory',
  'fd.filename',
  'fd.num',
  'fd.port',
  'fd.lport',
  'fd.rport',
  'fd.proto',
  'user.name',
  'user.uid',
  'group.name',
  'proc.exepath',
  'proc.cmdline',
  'thread.tid',
  'evt.num',
  'evt.time',
  'evt.dir',
  'evt.type',
  'evt.info',
  'evt.args',
  'evt.cpu',
  'fd.typechar',
  'proc.sid',
  'proc.tty',
  'proc.loginshellid',
  'thread.cap_effective',
  'proc.stdin.name',
  'evt.is_open_write',
];

const SPECIAL_CHARS = [
  '(',
  ')',
  "'",
  '"',
  '\\',
  ',',
  '=',
  '!',
  '<',
  '>',
  ' ',
  '\t',
  '\n',
  '\r',
  '\b',
  '\v',
  '\0',
  '[',
  ']',
  '.',
  '%',
  '*',
  '?',
  '\xff',
  '\xc3',
  '\x80',
  'é',
  '\u2028',
  '😀',
  'and',
  'or',
  'not',
  'val(',
  'in',
];

export class FilterGen {
  constructor(
    private readonly fields: string[],
    private readonly conditions: string[],
  ) {}

  field(rng: Rng): string {
    if (rng.bool(0.3)) return rng.pick(ARG_FORMS);
    const f = rng.pick(this.fields);
    if (rng.bool(0.08)) return `${f}[${rng.pick(['0', '1', '-1', 'x', '', '99999999999999999999', 'a b'])}]`;
    return f;
  }

  lhs(rng: Rng, depth: number): string {
    if (depth < 3 && rng.bool(0.15)) {
      const t = rng.pick(TRANSFORMERS);
      if (t === 'join') return `join(${this.quoted(rng)}, (${this.lhs(rng, depth + 1)}, ${this.lhs(rng, depth + 1)}))`;
      if (t === 'concat')
        return `concat(${this.lhs(rng, depth + 1)}, ${rng.bool() ? this.quoted(rng) : this.lhs(rng, depth + 1)})`;
      if (t === 'getopt')
        return `getopt(${this.field(rng)}, ${this.quoted(rng)})${rng.bool() ? `[${rng.pick(['a', 'b', 'x'])}]` : ''}`;
      return `${t}(${this.lhs(rng, depth + 1)})`;
    }
    return this.field(rng);
  }

  quoted(rng: Rng): string {
    const q = rng.bool() ? "'" : '"';
    let s = this.bare(rng);
    if (rng.bool(0.2)) s += rng.pick(['\\n', '\\t', '\\\\', `\\${q}`, '\\x41', '\\0', '\\u00e9', '\\']);
    return q + s + q;
  }

  bare(rng: Rng): string {
    switch (rng.int(10)) {
      case 0:
        return String(rng.interestingU32());
      case 1:
        return '-' + rng.int(100000);
      case 2:
        return '0x' + rng.u32().toString(16);
      case 3:
        return rng.pick([
          '/etc/passwd',
          '/tmp/',
          '/',
          '',
          'bash',
          'sh',
          '127.0.0.1',
          '::1',
          '10.0.0.0/8',
          'fe80::/10',
          '1.2.3.4/33',
          '0.0.0.0/0',
          '256.1.1.1',
          'true',
          'false',
          '1e9',
          '1.5',
          '+3',
          '9223372036854775808',
          '-9223372036854775809',
          '18446744073709551616',
          'open',
          'execve',
          '<NA>',
          '7f454c46',
          'zz',
          '*',
          '[',
          '\\',
        ]);
      case 4:
        return '*' + rng.pick(['.so', 'sh', '/bin/*', '?', '[a-z]*', '[!', '[[:alpha:]]']);
      case 5:
        return rng.pick(['^/etc/.*$', '(a|b)+', '[', '(', 'a{1000}', 'a{1001}', '\\d+', '(?i)x', '.*', '\\x{110000}']);
      case 6:
        return 'x'.repeat(rng.pick([1, 100, 5000]));
      default: {
        const n = 1 + rng.smallInt(12);
        let s = '';
        for (let i = 0; i < n; i++)
          s += String.fromCharCode(rng.pick([0x61 + rng.int(26), 0x30 + rng.int(10), 0x2f, 0x2e, 0x5f, 0x2d]));
        return s;
      }
    }
  }

  value(rng: Rng): string {
    return rng.bool(0.5) ? this.quoted(rng) : this.bare(rng);
  }

  list(rng: Rng): string {
    const n = rng.smallInt(8);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(this.value(rng));
    return '(' + items.join(rng.pick([',', ', ', ' ,'])) + ')';
  }

  check(rng: Rng, depth: number): string {
    const lhs = this.lhs(rng, depth);
    switch (rng.weighted([1, 3, 5, 3, 1, 1])) {
      case 0:
        return `${lhs} exists`;
      case 1:
        return `${lhs} ${rng.pick(OPS_NUM)} ${rng.bool(0.8) ? String(rng.interestingU32()) : this.value(rng)}`;
      case 2:
        return `${lhs} ${rng.pick(OPS_STR)} ${this.value(rng)}`;
      case 3:
        return `${lhs} ${rng.pick(OPS_LIST)} ${this.list(rng)}`;
      case 4:
        return `${lhs} ${rng.pick(OPS_STR)} ${rng.pick(MODIFIERS)} ${this.list(rng)}`;
      default:
        return `${lhs} ${rng.pick([...OPS_STR, ...OPS_NUM])} ${rng.bool() ? `val(${this.field(rng)})` : this.lhs(rng, 2)}`;
    }
  }

  expr(rng: Rng, depth = 0): string {
    if (depth > 6 || rng.bool(0.35)) {
      const c = this.check(rng, depth);
      return rng.bool(0.15) ? `not ${c}` : c;
    }
    switch (rng.int(4)) {
      case 0:
        return `${this.expr(rng, depth + 1)} and ${this.expr(rng, depth + 1)}`;
      case 1:
        return `${this.expr(rng, depth + 1)} or ${this.expr(rng, depth + 1)}`;
      case 2:
        return `(${this.expr(rng, depth + 1)})`;
      default:
        return `not ${rng.bool() ? '(' + this.expr(rng, depth + 1) + ')' : this.check(rng, depth + 1)}`;
    }
  }

  /** A condition from the real rules, or a random expression. */
  base(rng: Rng): string {
    if (this.conditions.length > 0 && rng.bool(0.5)) return rng.pick(this.conditions);
    return this.expr(rng);
  }

  /** Character- and token-level damage. */
  mutate(rng: Rng, s: string): string {
    const n = 1 + rng.smallInt(4);
    for (let k = 0; k < n; k++) {
      const p = rng.int(s.length + 1);
      switch (rng.int(8)) {
        case 0:
          s = s.slice(0, p) + rng.pick(SPECIAL_CHARS) + s.slice(p);
          break;
        case 1:
          s = s.slice(0, p) + s.slice(p + 1 + rng.smallInt(20));
          break;
        case 2:
          s = s.slice(0, p);
          break;
        case 3: {
          // duplicate a slice
          const q = rng.int(s.length + 1);
          const [a, b] = p < q ? [p, q] : [q, p];
          s = s.slice(0, b) + s.slice(a, b) + s.slice(b);
          break;
        }
        case 4: {
          // swap a token for another
          const toks = s.split(/(\s+)/);
          const i = rng.int(toks.length);
          toks[i] = rng.pick([
            ...OPS_STR,
            ...OPS_NUM,
            ...OPS_LIST,
            ...MODIFIERS,
            'and',
            'or',
            'not',
            '(',
            ')',
            this.field(rng),
            this.value(rng),
          ]);
          s = toks.join('');
          break;
        }
        case 5:
          s = s.slice(0, p) + String.fromCharCode(rng.int(256)) + s.slice(p);
          break;
        case 6:
          s = s.slice(0, p) + this.check(rng, 0) + s.slice(p);
          break;
        default: {
          // unbalance quotes and parentheses
          s = s.replace(rng.pick(["'", '"', '(', ')']), '');
          break;
        }
      }
    }
    return s;
  }

  /** One filter case. */
  next(rng: Rng): string {
    const s = this.base(rng);
    return rng.bool(0.6) ? this.mutate(rng, s) : s;
  }
}

/** Pathological filter shapes: each must compile or fail cleanly in bounded time. */
export function pathologicalFilter(rng: Rng): { text: string; what: string } {
  const k = rng.int(12);
  switch (k) {
    case 0: {
      const d = rng.pick([90, 100, 999, 1000, 1001, 5000, 100000]);
      return { text: '('.repeat(d) + 'proc.name=a' + ')'.repeat(d), what: `paren depth ${d}` };
    }
    case 1: {
      const d = rng.pick([100, 1000, 100000]);
      return { text: 'not '.repeat(d) + 'proc.name=a', what: `not x${d}` };
    }
    case 2: {
      const d = rng.pick([1000, 10000, 50000]);
      return { text: new Array(d).fill('proc.name=a').join(rng.bool() ? ' and ' : ' or '), what: `chain ${d}` };
    }
    case 3: {
      const d = rng.pick([1000, 100000, 300000]);
      return {
        text: `proc.name in (${new Array(d)
          .fill(0)
          .map((_, i) => 'n' + i)
          .join(',')})`,
        what: `list ${d}`,
      };
    }
    case 4: {
      const d = rng.pick([1 << 16, 1 << 20, 4 << 20]);
      return { text: `proc.name = '${'a'.repeat(d)}'`, what: `string ${d}` };
    }
    case 5: {
      const p = rng.pick([
        '(a+)+$',
        '(a|aa)*b',
        '((a*)*)*c',
        '(x+x+)+y',
        '(.*a){20}',
        '(a|a?)+b',
        '(\\w+\\s?)+$',
        '^(([a-z])+.)+[A-Z]([a-z])+$',
        '(a{1000}){1000}',
        '((a{100}){100}){100}',
        '(((a{10}){10}){10}){10}',
        '[' + 'a-z'.repeat(5000) + ']',
        '('.repeat(2000) + 'a' + ')'.repeat(2000),
      ]);
      return { text: `proc.name regex '${p}'`, what: `regex ${p.slice(0, 40)}` };
    }
    case 6: {
      const g = '*a'.repeat(rng.pick([20, 200, 2000])) + 'b';
      return { text: `proc.name glob '${g}'`, what: `glob ${g.length}` };
    }
    case 7: {
      const d = rng.pick([100, 1000]);
      return { text: 'tolower('.repeat(d) + 'proc.name' + ')'.repeat(d) + ' = a', what: `transformer depth ${d}` };
    }
    case 8: {
      const d = rng.pick([1000, 100000]);
      return {
        text: `proc.name pmatch (${new Array(d)
          .fill(0)
          .map((_, i) => '/p/' + i)
          .join(',')})`,
        what: `pmatch ${d}`,
      };
    }
    case 9: {
      const d = rng.pick([1000, 100000]);
      return {
        text: `fd.net in (${new Array(d)
          .fill(0)
          .map((_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`)
          .join(',')})`,
        what: `cidr list ${d}`,
      };
    }
    case 10: {
      const d = rng.pick([500, 2000]);
      return { text: '(not '.repeat(d) + 'proc.name=a' + ')'.repeat(d), what: `not-paren ${d}` };
    }
    default: {
      const d = rng.pick([1000, 10000]);
      return {
        text: `proc.name = '${'\\\\'.repeat(d)}' and fd.name contains "${'\\"'.repeat(d)}"`,
        what: `escapes ${d}`,
      };
    }
  }
}

/** Catastrophic regexes and globs with the text that makes a backtracking engine explode. */
export const PATHOLOGICAL_MATCHES: Array<{ kind: 'regex' | 'glob'; pattern: string; text: (n: number) => string }> = [
  { kind: 'regex', pattern: '(a+)+$', text: (n) => 'a'.repeat(n) + '!' },
  { kind: 'regex', pattern: '(a|aa)*b', text: (n) => 'a'.repeat(n) },
  { kind: 'regex', pattern: '((a*)*)*c', text: (n) => 'a'.repeat(n) },
  { kind: 'regex', pattern: '(x+x+)+y', text: (n) => 'x'.repeat(n) },
  { kind: 'regex', pattern: '(.*a){20}', text: (n) => 'a'.repeat(n) },
  { kind: 'regex', pattern: '(a|a?)+b', text: (n) => 'a'.repeat(n) },
  {
    kind: 'regex',
    pattern: '^(([a-z])+.)+[A-Z]([a-z])+$',
    text: (n) => 'aaaaaaaaaaaa'.repeat(Math.ceil(n / 12)) + '!',
  },
  { kind: 'regex', pattern: '(.*){1000}x', text: (n) => 'y'.repeat(n) },
  { kind: 'regex', pattern: '[^x]*(y|[^x])*z', text: (n) => 'y'.repeat(n) },
  { kind: 'glob', pattern: '*a*a*a*a*a*a*a*a*a*a*b', text: (n) => 'a'.repeat(n) },
  { kind: 'glob', pattern: '*'.repeat(50) + 'b', text: (n) => 'a'.repeat(n) },
  { kind: 'glob', pattern: '*?*?*?*?*?*?*?*?*?*?x', text: (n) => 'a'.repeat(n) },
  { kind: 'glob', pattern: '*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*0', text: (n) => 'a'.repeat(n) },
];
