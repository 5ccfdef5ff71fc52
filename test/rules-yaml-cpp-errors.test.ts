/**
 * YAML syntax errors reported as Falco reports them: yaml-cpp's message and position
 * (src/yaml/yaml-cpp-errors.ts). Each expected text below is what yaml-cpp (the revision
 * current Falco bundles) throws from LoadAll on that input, recorded by running it; texts it
 * loads are null there, and keep the yaml package's own message when that refuses them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

const C = require('../src/yaml/yaml-cpp-errors') as typeof import('../src/yaml/yaml-cpp-errors');
const R = require('../src/rules') as typeof import('../src/rules');
const { fieldRegistry } = require('../src/filter/fields/registry') as typeof import('../src/filter/fields/registry');

const YAML_CPP: [string, string | null][] = [
  ['This : is : not : yaml\n', 'line 1, column 11: illegal map value'],
  ['- list: l\n  items: [a\n', 'line 3, column 1: end of sequence flow not found'],
  ['- rule: r\n  desc: d\n   condition: x\n', 'line 3, column 13: illegal map value'],
  ['- rule: r\n  desc: "unterminated\n', null],
  ['- rule: r\n  output: "bad \\q escape"\n', 'line 2, column 18: unknown escape character: q'],
  ['- macro: m\n\tcondition: x\n', 'line 2, column 1: illegal tab when looking for indentation'],
  ['- list: l\n  items: [a, b]]\n', 'line 2, column 16: illegal flow end'],
  ['- list: l\n  items: {a: b\n', 'line 3, column 1: end of map flow not found'],
  ['- rule: r\n  tags: [a, b\n- rule: s\n', 'line 3, column 7: end of sequence flow not found'],
  ['- a\n - b\n', null],
  ['- macro: m\n  condition: *nope\n', 'line 2, column 14: the referenced anchor is not defined: nope'],
  ['- list: l\n  items: &a &b [x]\n', 'line 2, column 13: cannot assign multiple anchors to the same node'],
  ['- list: l\n  items: !a !b [x]\n', 'line 2, column 13: cannot assign multiple tags to the same node'],
  ['- rule: r\n  desc: |0\n    x\n', 'line 2, column 11: cannot set zero indentation for a block scalar'],
  ['- rule: r\n  desc: | x\n', 'line 2, column 11: unexpected character in block scalar'],
  ['- rule: r\n  desc: "a" "b"\n', 'line 2, column 13: unexpected scalar'],
  [',- rule: r\n', 'line 1, column 1: plain value cannot start with flow indicator character'],
  ['- rule: "x",\n', 'line 1, column 12: unexpected scalar'],
  ['- rule: r\n  output: "\\uD800"\n', 'line 2, column 18: invalid unicode: 55296'],
  ['- rule: r\n  output: "\\x4G"\n', 'line 2, column 16: bad character found while scanning hex number'],
  ['%YAML 1.2\n%YAML 1.2\n---\n- a\n', 'line 2, column 1: repeated YAML directive'],
  ['%YAML 2.0\n---\n- a\n', 'line 1, column 1: YAML major version too large'],
  ['%TAG ! a b\n---\n- a\n', 'line 1, column 1: TAG directives must have exactly two arguments'],
  ['- rule: r\n  output: !<x\n', 'line 2, column 14: end of verbatim tag not found'],
  ['- rule: r\n  output: !a!\n', 'line 2, column 14: tag handle with no suffix'],
  ['- list: l\n  items: [&]\n', 'line 2, column 12: anchor not found after &'],
  ['- list: l\n  items: [*a]\n', 'line 2, column 11: the referenced anchor is not defined: a'],
  ['- rule: r\n  desc: "é\n', null],
  ['é: ü: x\n', 'line 1, column 7: illegal map value'],
  ['- rule: r\r\n  desc: d: e\r\n', 'line 2, column 10: illegal map value'],
  ['- rule: r\r  desc: d: e\r', 'line 2, column 10: illegal map value'],
  ['---\n- a\n---\n- b: c: d\n', 'line 4, column 7: illegal map value'],
  ['- a\n---\n---\n- b: c: d\n', null],
  ['\ufeffa: b: c\n', 'line 1, column 5: illegal map value'],
  ['- rule: r\n  desc: d\n- `x`\n', 'line 3, column 3: unknown token'],
  ['- rule: r\n  desc: "a\n---\nb"\n', 'line 3, column 1: illegal document indicator in scalar'],
  ['- [a] , b\n', 'line 1, column 7: end of sequence not found'],
  ['- list: l\n  items: [a, b\n---\n', 'line 3, column 1: end of sequence flow not found'],
];

test("yaml-cpp's verdict on malformed YAML: its message, line and column", () => {
  for (const [text, want] of YAML_CPP) {
    const got = C.yamlCppError(text);
    assert.equal(got && got.message, want && `yaml-cpp: error at ${want}`, JSON.stringify(text));
    if (got !== null) assert.equal(`line ${got.line}, column ${got.col}`, /^line \d+, column \d+/.exec(want!)![0]);
  }
});

test('yaml-cpp counts columns in bytes, from after a byte-order mark, and stops at 500 nested nodes', () => {
  // "é" and "ü" are two bytes each: yaml-cpp's column 7 is the string's offset 4
  const e = C.yamlCppError('é: ü: x\n')!;
  assert.deepEqual([e.line, e.col, e.pos], [1, 7, 4]);
  const b = C.yamlCppError('\ufeffa: b: c\n')!;
  assert.deepEqual([b.line, b.col, b.pos], [1, 5, 5]);
  const deep = C.yamlCppError('- list: l\n  items: ' + '['.repeat(600) + '\n')!;
  assert.equal(deep.message, 'yaml-cpp: error at line 3, column 1: bad file');
  // texts yaml-cpp would read as UTF-16 or UTF-32 are not modelled
  assert.equal(C.yamlCppError('\0- a: b: c\n'), null);
});

test('the rules loader reports a YAML error in yaml-cpp words, at its position', () => {
  const l = new R.RulesLoader({ registry: fieldRegistry });
  const text = '- rule: r\n  desc: d\n   condition: x\n';
  const res = l.loadContent('bad.yaml', text);
  assert.equal(res.errors.length, 1);
  const e = res.errors[0];
  assert.equal(e.code, 'LOAD_ERR_YAML_PARSE');
  assert.equal(e.message, 'yaml-cpp: error at line 3, column 13: illegal map value');
  assert.deepEqual(R.filePos(e, text), { file: 'bad.yaml', line: 3, col: 13 });
  // where yaml-cpp would load the text, the yaml package's refusal stands (in its words)
  const open = l.loadContent('open.yaml', '- rule: r\n  desc: "unterminated\n');
  assert.equal(open.errors[0].code, 'LOAD_ERR_YAML_PARSE');
  assert.doesNotMatch(open.errors[0].message, /yaml-cpp/);
});
