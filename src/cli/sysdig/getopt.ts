/**
 * GNU getopt_long as glibc 2.36 runs it (the parser sysdig 0.29.3 is built on), so that
 * `sysdig` command lines mean here what they mean there: bundled short options (`-qS`), an
 * argument attached or in the next word (`-pFORMAT`, `-p FORMAT`), optional arguments only
 * attached (`-B::`), long options by any unambiguous prefix with `=value` or the next word,
 * operands moved after the options (permutation; `--` ends the options), and glibc's error
 * lines, word for word.
 */

export type ArgKind = 'none' | 'required' | 'optional';

export interface LongOption {
  name: string;
  arg: ArgKind;
  /** the short option it stands for, or null (then the long name identifies it) */
  short: string | null;
}

/** One parsed option, in command-line order. */
export interface ParsedOption {
  /** the short option character, or the long option's name when it has none */
  key: string;
  /** the long option's name, when it was given in long form */
  long?: string;
  /** its argument (null when it takes none or an optional one was not given) */
  arg: string | null;
}

export type GetoptItem = { option: ParsedOption } | { error: string };

interface ShortSpec {
  arg: ArgKind;
}

/** optstring ("AbB::c:") to its options; a leading '+', '-' or ':' is not supported here. */
function parseOptstring(s: string): Map<string, ShortSpec> {
  const m = new Map<string, ShortSpec>();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    let arg: ArgKind = 'none';
    if (s[i + 1] === ':') {
      arg = s[i + 2] === ':' ? 'optional' : 'required';
      i += arg === 'optional' ? 2 : 1;
    }
    m.set(c, { arg });
  }
  return m;
}

/**
 * Parses `args` (argv without the program name). Yields each option in order, stopping at
 * the first error (glibc prints it and getopt returns '?': sysdig exits there); `operands`
 * then holds the non-option words, in order.
 */
export class Getopt {
  readonly operands: string[] = [];
  private readonly shorts: Map<string, ShortSpec>;

  constructor(
    private readonly prog: string,
    optstring: string,
    private readonly longs: readonly LongOption[],
  ) {
    this.shorts = parseOptstring(optstring);
  }

  *parse(args: readonly string[]): Generator<GetoptItem> {
    let i = 0;
    while (i < args.length) {
      const a = args[i++];
      if (a === '--') {
        this.operands.push(...args.slice(i));
        return;
      }
      if (a.length < 2 || a[0] !== '-') {
        this.operands.push(a);
        continue;
      }
      if (a[1] === '-') {
        const r = this.longOption(a.slice(2), args, i);
        i = r.next;
        yield r.item;
        if ('error' in r.item) return;
        continue;
      }
      // a cluster of short options
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const spec = c === ':' ? undefined : this.shorts.get(c);
        if (spec === undefined) {
          yield { error: `${this.prog}: invalid option -- '${c}'` };
          return;
        }
        if (spec.arg === 'none') {
          yield { option: { key: c, arg: null } };
          continue;
        }
        const rest = a.slice(j + 1);
        if (spec.arg === 'optional') {
          yield { option: { key: c, arg: rest === '' ? null : rest } };
        } else if (rest !== '') {
          yield { option: { key: c, arg: rest } };
        } else if (i < args.length) {
          yield { option: { key: c, arg: args[i++] } };
        } else {
          yield { error: `${this.prog}: option requires an argument -- '${c}'` };
          return;
        }
        break;
      }
    }
  }

  /** `text` is what follows "--"; `next` the index of the word after it. */
  private longOption(text: string, args: readonly string[], next: number): { item: GetoptItem; next: number } {
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    let found = this.longs.find((o) => o.name === name);
    if (found === undefined) {
      const matches = this.longs.filter((o) => o.name.startsWith(name));
      // glibc: a later prefix match is ambiguous only if it differs from the first one found
      // (argument kind or value); options that mean the same thing are not
      const first = matches[0];
      const others = matches.filter((o) => o !== first && (o.arg !== first.arg || o.short !== first.short));
      if (others.length > 0) {
        const list = [first, ...others].map((o) => ` '--${o.name}'`).join('');
        return { item: { error: `${this.prog}: option '--${text}' is ambiguous; possibilities:${list}` }, next };
      }
      found = matches[0];
    }
    if (found === undefined) return { item: { error: `${this.prog}: unrecognized option '--${text}'` }, next };
    const key = found.short ?? found.name;
    if (found.arg === 'none') {
      if (eq >= 0) return { item: { error: `${this.prog}: option '--${found.name}' doesn't allow an argument` }, next };
      return { item: { option: { key, long: found.name, arg: null } }, next };
    }
    if (eq >= 0) return { item: { option: { key, long: found.name, arg: text.slice(eq + 1) } }, next };
    if (found.arg === 'optional') return { item: { option: { key, long: found.name, arg: null } }, next };
    if (next < args.length) return { item: { option: { key, long: found.name, arg: args[next] } }, next: next + 1 };
    return { item: { error: `${this.prog}: option '--${found.name}' requires an argument` }, next };
  }
}
