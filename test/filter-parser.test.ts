/** The filter parser: AST shapes, precedence, quoting, errors with positions (filter-language.md §1, §2, §10). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, astToString, astEqual, FilterError, type Node } from '../src/filter';
import { Lexer, unescapeQuoted } from '../src/filter/lexer';

/** Compact S-expression of an AST (positions left out), for shape assertions. */
function sx(n: Node): string {
  switch (n.kind) {
    case 'and':
      return `and(${n.children.map(sx).join(', ')})`;
    case 'or':
      return `or(${n.children.map(sx).join(', ')})`;
    case 'not':
      return `not(${sx(n.child)})`;
    case 'identifier':
      return `id:${n.name}`;
    case 'value':
      return JSON.stringify(n.value);
    case 'list':
      return `[${n.values.map((v) => JSON.stringify(v)).join(', ')}]`;
    case 'field':
      return n.arg === null ? n.field : `${n.field}[${JSON.stringify(n.arg)}]`;
    case 'transformer':
      return `${n.name}(${n.args.map(sx).join(', ')})${n.arg === null ? '' : `[${JSON.stringify(n.arg)}]`}`;
    case 'transformer_list':
      return `tl(${n.children.map(sx).join(', ')})`;
    case 'unary':
      return `{${sx(n.left)} exists}`;
    case 'binary':
      return `{${sx(n.left)} ${n.op} ${sx(n.right)}}`;
  }
}

const P = (s: string): string => sx(parseFilter(s).ast);

// ---------------------------------------------------------------------------------------------
// accepted inputs: [filter, expected S-expression]
const ACCEPT: [string, string][] = [
  // precedence and associativity
  ['a or b and c', 'or(id:a, and(id:b, id:c))'],
  ['a and b or c', 'or(and(id:a, id:b), id:c)'],
  ['a and b and c', 'and(id:a, id:b, id:c)'],
  ['a or b or c', 'or(id:a, id:b, id:c)'],
  ['not a and b', 'and(not(id:a), id:b)'],
  ['a and not b or c', 'or(and(id:a, not(id:b)), id:c)'],
  ['not (a and b)', 'not(and(id:a, id:b))'],
  ['not(a and b)', 'not(and(id:a, id:b))'],
  ['not not a', 'id:a'],
  ['not not not a', 'not(id:a)'],
  ['not not(a)', 'id:a'],
  ['not', 'id:not'],
  ['(a or b) and c', 'and(or(id:a, id:b), id:c)'],
  ['(((((a)))))', 'id:a'],
  ['a and(b)', 'and(id:a, id:b)'],
  ['x.y=1 or(m)', 'or({x.y = "1"}, id:m)'],
  ['a\nand\tb', 'and(id:a, id:b)'],
  ['  a  ', 'id:a'],
  // identifiers that start like keywords
  ['a and not_macro', 'and(id:a, id:not_macro)'],
  ['notz and a', 'and(id:notz, id:a)'],
  ['nothing', 'id:nothing'],
  ['android or oracle', 'or(id:android, id:oracle)'],
  // operators and blanks
  ['proc.name=bash', '{proc.name = "bash"}'],
  ['proc.name==bash', '{proc.name == "bash"}'],
  ['proc.name!=bash', '{proc.name != "bash"}'],
  ['fd.num>=0', '{fd.num >= "0"}'],
  ['fd.num<=1', '{fd.num <= "1"}'],
  ['fd.num<1', '{fd.num < "1"}'],
  ['fd.num >-1', '{fd.num > "-1"}'],
  ['fd.num > 0x10', '{fd.num > "0x10"}'],
  ['fd.num > 1.5e+3x', ''], // placeholder, replaced below (error)
  ['fd.name startswith\t/tmp', '{fd.name startswith "/tmp"}'],
  ['fd.name startswith\n/tmp', '{fd.name startswith "/tmp"}'],
  ['fd.name exists', '{fd.name exists}'],
  ['fd.name existsand m', 'and({fd.name exists}, id:m)'],
  ['fd.name exists or not fd.num exists', 'or({fd.name exists}, not({fd.num exists}))'],
  ['proc.name in(bash,sh)', '{proc.name in ["bash", "sh"]}'],
  ['proc.name in ( bash , sh )', '{proc.name in ["bash", "sh"]}'],
  ['proc.name in ()', '{proc.name in []}'],
  ['proc.name in ( )', '{proc.name in []}'],
  ['proc.name in shell_binaries', '{proc.name in "shell_binaries"}'],
  ['proc.name intersects (a)', '{proc.name intersects ["a"]}'],
  ['fd.name pmatch (/etc, /usr/lib)', '{fd.name pmatch ["/etc", "/usr/lib"]}'],
  ['a.b in (x.y)', '{a.b in ["x.y"]}'],
  ['proc.name in ("<NA>", "N/A")', '{proc.name in ["<NA>", "N/A"]}'],
  ['proc.pname in (runc:[0:PARENT], runc:[1:CHILD])', '{proc.pname in ["runc:[0:PARENT]", "runc:[1:CHILD]"]}'],
  ['fd.name glob *.log', '{fd.name glob "*.log"}'],
  ["fd.name glob '/tmp/*'", '{fd.name glob "/tmp/*"}'],
  ['fd.name = 0a!@#:/\\.;$%^&*[]{}', '{fd.name = "0a!@#:/\\\\.;$%^&*[]{}"}'],
  ['proc.name = <NA>', '{proc.name = "<NA>"}'],
  ['proc.name > 5', '{proc.name > "5"}'],
  ['fd.num = 0x10', '{fd.num = "0x10"}'],
  ['a.b = a.a', '{a.b = "a.a"}'],
  ['proc.name = and', '{proc.name = "and"}'],
  // quoting and escapes
  ['proc.name = "ba\\"sh"', '{proc.name = "ba\\"sh"}'],
  ['proc.name = \'say "hi"\'', '{proc.name = "say \\"hi\\""}'],
  ['proc.name = "it\'s"', '{proc.name = "it\'s"}'],
  ["proc.name = 'it\\'s'", '{proc.name = "it\'s"}'],
  ['proc.name = "a\\ b"', '{proc.name = "a\\\\b"}'],
  ['fd.name = "C:\\\\temp"', '{fd.name = "C:\\\\temp"}'],
  ['fd.name = "a\\/b"', '{fd.name = "a/b"}'],
  ['fd.name = "\\b\\f\\n\\r\\t"', '{fd.name = "\\b\\f\\n\\r\\t"}'],
  ['proc.name = ""', '{proc.name = ""}'],
  ["proc.name = ''", '{proc.name = ""}'],
  ['proc.name = "a b" and x', 'and({proc.name = "a b"}, id:x)'],
  // the naive terminator: a quote preceded by a backslash never closes, so this is ONE string
  ['proc.name = "abc\\\\" or x = y"', '{proc.name = "abc\\\\\\" or x = y"}'],
  // field arguments
  ['proc.aname[2] = sshd', '{proc.aname["2"] = "sshd"}'],
  ['proc.env[HOME] = /root', '{proc.env["HOME"] = "/root"}'],
  ["proc.env['MY VAR'] = x", '{proc.env["MY VAR"] = "x"}'],
  ['proc.env[""] = x', '{proc.env[""] = "x"}'],
  ['container.mount.dest[/var/run/docker.sock] != none', '{container.mount.dest["/var/run/docker.sock"] != "none"}'],
  ['container.mount.dest[/proc*] exists', '{container.mount.dest["/proc*"] exists}'],
  ['evt.arg[0] = 3', '{evt.arg["0"] = "3"}'],
  ['evt.type.is.open = 1', '{evt.type.is.open = "1"}'],
  ['evt.arg.flags contains O_CREAT', '{evt.arg.flags contains "O_CREAT"}'],
  // transformers and val()
  ['tolower(proc.name) = bash', '{tolower(proc.name) = "bash"}'],
  ['tolower( proc.name ) = bash', '{tolower(proc.name) = "bash"}'],
  ['toupper(b64(evt.buffer)) contains X', '{toupper(b64(evt.buffer)) contains "X"}'],
  ['basename(proc.exepath) != proc.name', '{basename(proc.exepath) != "proc.name"}'],
  ['basename(proc.exepath) != val(proc.name)', '{basename(proc.exepath) != val(proc.name)}'],
  ['fd.name = val(proc.exepath)', '{fd.name = val(proc.exepath)}'],
  ['fd.name = val( proc.exepath )', '{fd.name = val(proc.exepath)}'],
  ['len(proc.args) > 100', '{len(proc.args) > "100"}'],
  ['fd.num < len(proc.name)', '{fd.num < len(proc.name)}'],
  ['proc.name in tolower(proc.pname)', '{proc.name in tolower(proc.pname)}'],
  ['join(",", (proc.name, "x", 3)) = a', '{join(",", tl(proc.name, "x", "3")) = "a"}'],
  ['join(",", ()) = a', '{join(",", tl()) = "a"}'],
  ['concat(proc.name, "-", proc.pname) = a-b', '{concat(proc.name, "-", proc.pname) = "a-b"}'],
  ['getopt(proc.args, "t:")[t] = x', '{getopt(proc.args, "t:")["t"] = "x"}'],
  ['len(getopt(proc.args, "t:")) > 0', '{len(getopt(proc.args, "t:")) > "0"}'],
  // modifiers (libs >= 0.25)
  ['proc.name startswith oneof (ba, z)', '{proc.name startswith oneof ["ba", "z"]}'],
  ['proc.name = anyof (a, b)', '{proc.name = anyof ["a", "b"]}'],
  ['proc.name != allof (a, b)', '{proc.name != allof ["a", "b"]}'],
  ['proc.name = anyof mylist', '{proc.name = anyof "mylist"}'],
  ['proc.name = oneof', '{proc.name = "oneof"}'],
  ['proc.name = oneof or x', 'or({proc.name = "oneof"}, id:x)'],
  ['proc.name = anyof and x', 'and({proc.name = "anyof"}, id:x)'],
  ['proc.name = allof notx', '{proc.name = allof "notx"}'],
  ['proc.name =oneof', '{proc.name = "oneof"}'],
];
// replace the placeholder with a real case
ACCEPT.splice(
  ACCEPT.findIndex(([s]) => s === 'fd.num > 1.5e+3x'),
  1,
  ['fd.num > 1.5e+3', '{fd.num > "1.5e+3"}'],
);

test('parser: accepted filters produce the expected AST shapes', () => {
  for (const [src, want] of ACCEPT) {
    assert.equal(P(src), want, src);
  }
});

// ---------------------------------------------------------------------------------------------
// rejected inputs: [filter, byte offset, message (exact, or /regex/)]
const REJECT: [string, number, string | RegExp][] = [
  ['', 0, 'filter input string is empty'],
  ['   ', 3, "expected a '(' token, a field check, or an identifier"],
  ['a andb', 5, "expected blank or '(' after 'and'"],
  ['a andx', 5, "expected blank or '(' after 'and'"],
  ['a orb', 4, "expected blank or '(' after 'or'"],
  ['a and', 5, "expected blank or '(' after 'and'"],
  ['a and ', 6, "expected a '(' token, a field check, or an identifier"],
  ['a not b', 2, "unexpected token after 'a', expecting 'or', 'and'"],
  ['(a', 2, "expected a ')' token"],
  ['a)', 1, "unexpected token after 'a', expecting 'or', 'and'"],
  ['not x.y', 7, /^expected a valid check operator/],
  ['proc.name = allof not_x', 18, "unexpected token after 'allof', expecting 'or', 'and'"],
  ['fd.name contains/tmp', 8, /^expected a valid check operator: one of 'exists', '<=', .*'pmatch'$/],
  ['fd.name containsx', 8, /^expected a valid check operator/],
  ['fd.name EXISTS', 8, /^expected a valid check operator/],
  ['proc.name', 9, /^expected a valid check operator/],
  ['proc.name = ba sh', 15, "unexpected token after 'ba', expecting 'or', 'and'"],
  ['fd.name = /tmp/a=b', 16, "unexpected token after '/tmp/a', expecting 'or', 'and'"],
  ['proc.name=(bash)', 10, /^expected a string value or a field with a valid transformer: 'val', 'tolower'/],
  ['proc.name =', 11, /^expected a string value or a field/],
  ['fd.name ===x', 10, /^expected a string value or a field/],
  ['proc.name in (bash,)', 19, 'expected a string value'],
  ['x.y in (a,,b)', 10, 'expected a string value'],
  ['x.y in (a b)', 10, "expected a ')' token"],
  ['x.y in (tolower(a.b))', 15, "expected a ')' token"],
  ['proc.name in', 12, /^expected a list, an identifier, or a field with a valid transformer/],
  ['proc.name = "a" "b"', 16, "unexpected token after 'a', expecting 'or', 'and'"],
  ["proc.name = 'ba\\\"sh'", 20, 'invalid \\" escape in \'-quoted string'],
  ['proc.name = "ba\\\'sh"', 20, 'invalid \\\' escape in "-quoted string'],
  ['proc.name = "abc\\\\"', 12, /^expected a string value or a field/],
  ['proc.name = "\\x41"', 18, 'unsupported string escape sequence: \\x'],
  ['proc.name regex "\\d+"', 21, 'unsupported string escape sequence: \\d'],
  ['proc.name = "unterminated', 12, /^expected a string value or a field/],
  [
    'proc.name > abc',
    12,
    /^expected a number value or a field with a valid transformer: 'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'$/,
  ],
  ['proc.name > "5"', 12, /^expected a number value/],
  ['proc.aname[ 2 ] = sshd', 11, 'expected a valid field argument: a quoted string or a bare string'],
  ['proc.aname[2 = sshd', 12, "expected a ']' token"],
  ['proc.aname[] = sshd', 11, 'expected a valid field argument: a quoted string or a bare string'],
  ['tolower (proc.name) = bash', 8, "unexpected token after 'tolower', expecting 'or', 'and'"],
  ['tolower\n(proc.name) = bash', 8, "unexpected token after 'tolower', expecting 'or', 'and'"],
  ['tolower(proc.name = bash', 18, "expected a ')' token closing the transformer"],
  ['tolower() = bash', 8, /^expected field transformer argument/],
  ['val(proc.name) = bash', 3, "unexpected token after 'val', expecting 'or', 'and'"],
  ['fd.name = val(val(x.y))', 14, "expected a field within 'val' transformer"],
  ['fd.name = val(tolower(x.y))', 14, "expected a field within 'val' transformer"],
  [
    'fd.name = tolower(val(x.y))',
    18,
    /^expected field transformer argument: field, transformer, quoted string, number, or transformer list$/,
  ],
  ['fd.name = val(x.y', 17, "expected a ')' token closing the transformer"],
  ['proc.name contains oneof(a,b)', 24, "unexpected token after 'oneof', expecting 'or', 'and'"],
  ['proc.name = anyof (a', 20, "expected a ')' token"],
  ['proc.name = (a)', 12, /^expected a string value or a field/],
  ['join(",", (a.b,)) = x', 15, /^expected transformer list argument/],
];

test('parser: rejected filters fail with libsinsp messages at the right position', () => {
  for (const [src, pos, msg] of REJECT) {
    assert.throws(
      () => parseFilter(src),
      (e: unknown) => {
        assert.ok(e instanceof FilterError, `${src}: FilterError`);
        assert.equal(e.kind, 'parse', src);
        if (typeof msg === 'string') assert.equal(e.message, msg, src);
        else assert.match(e.message, msg, src);
        assert.equal(e.pos, pos, `${src}: position`);
        return true;
      },
      src,
    );
  }
});

test('parser: line and column in errors, CLI and libsinsp renderings', () => {
  const src = 'proc.name = bash and\n  fd.num >= abc';
  try {
    parseFilter(src);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof FilterError);
    assert.equal(e.pos, 33);
    assert.equal(e.line, 2);
    assert.equal(e.column, 13);
    assert.equal(e.toCliString(), `filter error at position 33: ${e.message}`);
    assert.match(e.toLibsString(), /^filter error at index 33, line 2, column 13: expected a number value/);
  }
});

test('parser: positions on every node', () => {
  const src = 'proc.name = bash and not fd.num in (1, 2)';
  const ast = parseFilter(src).ast;
  assert.equal(ast.kind, 'and');
  if (ast.kind !== 'and') return;
  assert.deepEqual([ast.start, ast.end], [0, src.length]);
  const [a, b] = ast.children;
  assert.equal(src.slice(a.start, a.end), 'proc.name = bash');
  assert.equal(src.slice(b.start, b.end), 'not fd.num in (1, 2)');
  if (a.kind !== 'binary' || b.kind !== 'not' || b.child.kind !== 'binary') assert.fail('shape');
  else {
    assert.equal(src.slice(a.left.start, a.left.end), 'proc.name');
    assert.equal(src.slice(a.right.start, a.right.end), 'bash');
    assert.equal(src.slice(b.child.start, b.child.end), 'fd.num in (1, 2)');
    assert.equal(src.slice(b.child.right.start, b.child.right.end), '(1, 2)');
  }
});

test('parser: input is parsed as UTF-8 bytes; offsets are byte offsets', () => {
  const r = parseFilter('proc.name = "é" and fd.name = x');
  assert.equal(r.text, 'proc.name = "\xc3\xa9" and fd.name = x');
  const ast = r.ast;
  if (ast.kind !== 'and' || ast.children[0].kind !== 'binary' || ast.children[0].right.kind !== 'value')
    assert.fail('shape');
  else assert.equal(ast.children[0].right.value, '\xc3\xa9');
  assert.throws(
    () => parseFilter('proc.name = é x'),
    (e: FilterError) => e.pos === 15,
  );
  // already a byte string: no conversion
  const b = parseFilter('proc.name = "\xe9"', { bytes: true });
  assert.equal(b.text.length, 15);
});

test('parser: recursion depth is limited with a positioned error, never a stack overflow', () => {
  const deep = '('.repeat(100000) + 'a' + ')'.repeat(100000);
  assert.throws(
    () => parseFilter(deep),
    (e: unknown) => e instanceof FilterError && /exceeded max depth limit of 1000/.test(e.message),
  );
  const nots = 'not '.repeat(5000) + 'a';
  assert.equal(P(nots), 'id:a'); // nots fold in a loop, no recursion
  // libsinsp's default of 100, as an option
  const d30 = '('.repeat(30) + 'a' + ')'.repeat(30);
  assert.equal(P(d30), 'id:a');
  assert.throws(() => parseFilter(d30, { maxDepth: 100 }), /exceeded max depth limit of 100/);
  const d150 = '('.repeat(150) + 'a' + ')'.repeat(150);
  assert.equal(P(d150), 'id:a');
});

test('parser: partial parsing stops after a valid prefix', () => {
  const r = parseFilter('a and b garbage', { partial: true });
  assert.equal(sx(r.ast), 'and(id:a, id:b)');
  assert.equal(r.end, 8);
});

test('parser: astToString round-trips to an equal AST', () => {
  for (const [src] of ACCEPT) {
    const a = parseFilter(src).ast;
    const printed = astToString(a);
    const b = parseFilter(printed).ast;
    assert.ok(astEqual(a, b), `${src} -> ${printed}`);
  }
});

test('lexer: token regexes match longest-first like RE2 POSIX', () => {
  const num = (s: string): string | null => {
    const l = new Lexer(s);
    return l.lexNum() ? l.lastToken : null;
  };
  assert.equal(num('12'), '12');
  assert.equal(num('-1.5'), '-1.5');
  assert.equal(num('+3.'), '+3.');
  assert.equal(num('1e+10x'), '1e+10');
  assert.equal(num('1e10'), '1'); // the exponent needs a sign
  assert.equal(num('.5'), null);
  const hex = new Lexer('0x1fg');
  assert.ok(hex.lexHexNum());
  assert.equal(hex.lastToken, '0x1f');
  const fld = (s: string): string | null => {
    const l = new Lexer(s);
    return l.lexFieldName() ? l.lastToken : null;
  };
  assert.equal(fld('proc.name'), 'proc.name');
  assert.equal(fld('evt.arg.0'), 'evt.arg'); // each dotted part starts with a letter: '.0' is left over
  assert.equal(fld('evt.arg.fd.x1'), 'evt.arg.fd.x1');
  assert.equal(fld('a.b.'), 'a.b');
  assert.equal(fld('name'), null);
  const bare = new Lexer('/etc/a=b');
  assert.ok(bare.lexBareStr());
  assert.equal(bare.lastToken, '/etc/a');
  const nb = new Lexer('not\x0bx'); // [[:space:]] includes \v
  assert.ok(nb.lexNotBlank());
  const bl = new Lexer('\b\t x');
  assert.ok(bl.lexBlank());
  assert.equal(bl.pos, 3);
});

test('lexer: the unescape table', () => {
  const U = (s: string): string => unescapeQuoted(s);
  assert.equal(U('"a\\"b"'), 'a"b');
  assert.equal(U("'a\\'b'"), "a'b");
  assert.equal(U('"a\\ b"'), 'a\\b');
  assert.equal(U('"\\\\"'), '\\');
  assert.equal(U('"\\/"'), '/');
  assert.equal(U('"\\t\\n"'), '\t\n');
  assert.throws(() => U('"\\."'), /unsupported string escape sequence: \\\./);
  assert.throws(() => U("'\\\"'"), /invalid \\" escape in '-quoted string/);
});
