/**
 * yaml-cpp's verdict on a YAML text it cannot load: the message and position Falco reports for
 * a rules file with a YAML syntax error (LOAD_ERR_YAML_PARSE), e.g.
 * "yaml-cpp: error at line 1, column 11: illegal map value". The yaml package, which builds our
 * documents, refuses other texts at other places in other words; Falco's users know yaml-cpp's.
 *
 * This is a model of yaml-cpp's scanner (indentation, simple keys, flow levels, the scalar
 * scanner) and of its document parser, reduced to what decides whether and where loading fails:
 * it builds no values. As in yaml-cpp, tokens are scanned as the parser asks for them, so the
 * first error is the one yaml-cpp meets first; columns and offsets count bytes of the UTF-8 text;
 * loading stops after a document that is empty. The yaml-cpp followed is the one current Falco
 * bundles (after 0.8.0: "unexpected scalar" after a quoted scalar, lone CR line breaks, a depth
 * limit of 500 nested nodes reported as "bad file"). The scanner is yaml-cpp-scanner.ts.
 */
import { EOF, Input, M, ParseFailure, Scanner, type Token } from './yaml-cpp-scanner';

/** A yaml-cpp parse error: its what() text, and its mark as 1-based line/column and string offset. */
export interface YamlCppError {
  message: string;
  line: number;
  col: number;
  pos: number;
}

// ---------------------------------------------------------------------------------------------
// The parser: yaml-cpp's directives and single-document parser, without the node builder

class Directives {
  versionDefault = true;
  readonly tags = new Map<string, string>();
  translate(handle: string): string {
    return this.tags.get(handle) ?? (handle === '!!' ? 'tag:yaml.org,2002:' : handle);
  }
}

function handleDirective(t: Token, d: Directives): void {
  if (t.value === 'YAML') {
    if (t.params.length !== 1) throw new ParseFailure(t.mark, M.YAML_DIRECTIVE_ARGS);
    if (!d.versionDefault) throw new ParseFailure(t.mark, M.REPEATED_YAML_DIRECTIVE);
    // (as `stream >> major; get(); stream >> minor`, then nothing left)
    const v = /^[+-]?(\d+)[\s\S][+-]?(\d+)$/.exec(t.params[0]);
    if (v === null || Number(v[1]) > 0x7fffffff || Number(v[2]) > 0x7fffffff)
      throw new ParseFailure(t.mark, M.YAML_VERSION + t.params[0]);
    if (Number(v[1]) > 1 && !t.params[0].startsWith('-')) throw new ParseFailure(t.mark, M.YAML_MAJOR_VERSION);
    d.versionDefault = false;
  } else if (t.value === 'TAG') {
    if (t.params.length !== 2) throw new ParseFailure(t.mark, M.TAG_DIRECTIVE_ARGS);
    if (d.tags.has(t.params[0])) throw new ParseFailure(t.mark, M.REPEATED_TAG_DIRECTIVE);
    d.tags.set(t.params[0], t.params[1]);
  }
}

const MAX_DEPTH = 500;

class DocParser {
  private depth = 0;
  private readonly anchors = new Set<string>();
  private readonly collections: ('blockseq' | 'flowseq' | 'blockmap' | 'flowmap' | 'compact')[] = [];

  constructor(
    private readonly s: Scanner,
    private readonly dirs: Directives,
  ) {}

  /** one document; true when it is empty (null), which ends yaml-cpp's LoadAll */
  document(): boolean {
    const s = this.s;
    if (s.peek().type === 'DOC_START') s.pop();
    const isNull = this.node();
    while (!s.empty() && s.peek().type === 'DOC_END') s.pop();
    return isNull;
  }

  /** one node; true when it is null */
  private node(): boolean {
    const s = this.s;
    const at = s.mark();
    if (++this.depth >= MAX_DEPTH) throw new ParseFailure(at, M.BAD_FILE);
    try {
      if (s.empty()) return true;
      const first = s.peek();
      if (first.type === 'VALUE') {
        this.map();
        return false;
      }
      if (first.type === 'ALIAS') {
        if (!this.anchors.has(first.value)) throw new ParseFailure(first.mark, M.UNKNOWN_ANCHOR + first.value);
        s.pop();
        return false;
      }
      let tag = '';
      let anchored = false;
      while (!s.empty()) {
        const t = s.peek();
        if (t.type === 'TAG') {
          if (tag !== '') throw new ParseFailure(t.mark, M.MULTIPLE_TAGS);
          tag = this.translate(t);
        } else if (t.type === 'ANCHOR') {
          if (anchored) throw new ParseFailure(t.mark, M.MULTIPLE_ANCHORS);
          anchored = true;
          this.anchors.add(t.value);
        } else break;
        s.pop();
      }
      if (s.empty()) return true;
      const t = s.peek();
      if (tag === '') tag = t.type === 'NON_PLAIN_SCALAR' ? '!' : '?';
      switch (t.type) {
        case 'PLAIN_SCALAR':
          s.pop();
          return tag === '?' && ['~', 'null', 'Null', 'NULL', ''].includes(t.value);
        case 'NON_PLAIN_SCALAR':
          s.pop();
          return false;
        case 'FLOW_SEQ_START':
        case 'BLOCK_SEQ_START':
          this.sequence();
          return false;
        case 'FLOW_MAP_START':
        case 'BLOCK_MAP_START':
          this.map();
          return false;
        case 'KEY':
          // a compact map ("a: b" as an entry) only in a flow sequence
          if (this.collections[this.collections.length - 1] === 'flowseq') {
            this.map();
            return false;
          }
          break;
        default:
          break;
      }
      return tag === '?';
    } finally {
      this.depth--;
    }
  }

  private translate(t: Token): string {
    switch (t.tagKind) {
      case 'verbatim':
        return t.value;
      case 'primary':
        return this.dirs.translate('!') + t.value;
      case 'secondary':
        return this.dirs.translate('!!') + t.value;
      case 'named':
        return this.dirs.translate('!' + t.value + '!') + t.params[0];
      default:
        return '!';
    }
  }

  private sequence(): void {
    if (this.s.peek().type === 'BLOCK_SEQ_START') this.blockSequence();
    else this.flowSequence();
  }

  private blockSequence(): void {
    const s = this.s;
    s.pop();
    this.collections.push('blockseq');
    for (;;) {
      if (s.empty()) throw new ParseFailure(s.mark(), M.END_OF_SEQ);
      const t = s.peek();
      if (t.type !== 'BLOCK_ENTRY' && t.type !== 'BLOCK_SEQ_END') throw new ParseFailure(t.mark, M.END_OF_SEQ);
      s.pop();
      if (t.type === 'BLOCK_SEQ_END') break;
      if (!s.empty() && (s.peek().type === 'BLOCK_ENTRY' || s.peek().type === 'BLOCK_SEQ_END')) continue;
      this.node();
    }
    this.collections.pop();
  }

  private flowSequence(): void {
    this.flow('flowseq', 'FLOW_SEQ_END', M.END_OF_SEQ_FLOW, () => this.node());
  }

  /** A flow sequence or map: items (nodes or pairs) separated by FLOW_ENTRY up to its end token. */
  private flow(kind: 'flowseq' | 'flowmap', end: 'FLOW_SEQ_END' | 'FLOW_MAP_END', msg: string, item: () => void): void {
    const s = this.s;
    s.pop();
    this.collections.push(kind);
    for (;;) {
      if (s.empty()) throw new ParseFailure(s.mark(), msg);
      if (s.peek().type === end) {
        s.pop();
        break;
      }
      item();
      if (s.empty()) throw new ParseFailure(s.mark(), msg);
      const t = s.peek();
      if (t.type === 'FLOW_ENTRY') s.pop();
      else if (t.type !== end) throw new ParseFailure(t.mark, msg);
    }
    this.collections.pop();
  }

  private map(): void {
    const s = this.s;
    switch (s.peek().type) {
      case 'BLOCK_MAP_START':
        return this.blockMap();
      case 'FLOW_MAP_START':
        return this.flowMap();
      case 'KEY':
      case 'VALUE': {
        // a single pair: "key: value" in a flow sequence, or ": value"
        this.collections.push('compact');
        const withKey = s.peek().type === 'KEY';
        s.pop();
        this.node();
        if (withKey && !s.empty() && s.peek().type === 'VALUE') {
          s.pop();
          this.node();
        }
        this.collections.pop();
        return;
      }
      default:
        return;
    }
  }

  /** a key and/or a value, both optional */
  private pair(): void {
    const s = this.s;
    if (s.peek().type === 'KEY') {
      s.pop();
      this.node();
    }
    if (!s.empty() && s.peek().type === 'VALUE') {
      s.pop();
      this.node();
    }
  }

  private blockMap(): void {
    const s = this.s;
    s.pop();
    this.collections.push('blockmap');
    for (;;) {
      if (s.empty()) throw new ParseFailure(s.mark(), M.END_OF_MAP);
      const t = s.peek();
      if (t.type !== 'KEY' && t.type !== 'VALUE' && t.type !== 'BLOCK_MAP_END')
        throw new ParseFailure(t.mark, M.END_OF_MAP);
      if (t.type === 'BLOCK_MAP_END') {
        s.pop();
        break;
      }
      this.pair();
    }
    this.collections.pop();
  }

  private flowMap(): void {
    this.flow('flowmap', 'FLOW_MAP_END', M.END_OF_MAP_FLOW, () => this.pair());
  }
}

/**
 * Whether yaml-cpp's encoding guess (its byte-order-mark state machine) takes the text for
 * UTF-16 or UTF-32: a leading NUL before an ASCII byte or another NUL, an ASCII byte before a
 * NUL, or a UTF-16/32 byte-order mark. Such texts are not modelled.
 */
function readAsUtf16Or32(b: Uint8Array): boolean {
  const at = (k: number): number => (k < b.length ? b[k] : EOF);
  const ascii = (c: number): boolean => c > 0 && c < 0xff && c !== 0xbb && c !== 0xbf && c !== 0xef && c !== 0xfe;
  if (at(0) === 0) return ascii(at(1)) || (at(1) === 0 && (at(2) === 0 || (at(2) === 0xfe && at(3) === 0xff)));
  if (at(0) === 0xfe) return at(1) === 0xff;
  if (at(0) === 0xff) return at(1) === 0xfe;
  return ascii(at(0)) && at(1) === 0;
}

/**
 * The error yaml-cpp's LoadAll throws on `text`, or null when yaml-cpp would load it (then the
 * caller's own message stands).
 */
export function yamlCppError(text: string): YamlCppError | null {
  // yaml-cpp drops a leading byte-order mark: its positions count from after it
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const bytes = Buffer.from(bom ? text.slice(1) : text, 'utf8');
  if (readAsUtf16Or32(bytes)) return null;
  const inp = new Input(bytes);
  const s = new Scanner(inp);
  try {
    let dirs = new Directives();
    for (;;) {
      let fresh = true;
      while (!s.empty() && s.peek().type === 'DIRECTIVE') {
        // directives apply to the documents after them, until the next ones
        if (fresh) dirs = new Directives();
        fresh = false;
        handleDirective(s.peek(), dirs);
        s.pop();
      }
      if (s.empty()) return null;
      if (new DocParser(s, dirs).document()) return null;
    }
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    const m = e.mark;
    return {
      // (Falco takes what() as a C string: a NUL, say in an alias name, ends it)
      message: `yaml-cpp: error at line ${m.line + 1}, column ${m.col + 1}: ${e.msg}`.split('\0')[0],
      line: m.line + 1,
      col: m.col + 1,
      pos: bom + bytes.subarray(0, Math.min(m.pos, bytes.length)).toString('utf8').length,
    };
  }
}
