/**
 * The command line's manners, run through bin/falco-ts: misspelt commands get a suggestion
 * instead of a filter error, usage errors are one line, `help CMD`, `--version`; and the shell
 * completion scripts and the man page, judged by the real shells and groff/man.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { IN_CI, ROOT, runCli, tmpDir, which } from './helpers/env';

function run(args: string[]) {
  const r = runCli(args);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

/** a tool the test needs; CI installs it (scripts/setup.sh), elsewhere the test skips */
function toolSkip(tool: string): string | false {
  if (which(tool) !== null) return false;
  if (IN_CI) throw new Error(`${tool} is not installed; scripts/setup.sh must install it`);
  return `${tool} is not installed`;
}

/** the subcommands and their usage lines, as commander's own --help prints them */
function helpCommands(): { name: string; usage: string }[] {
  const help = run(['--help']).stdout;
  const section = help.slice(help.indexOf('\nCommands:\n') + 11);
  const names = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((n) => n !== 'help');
  assert.ok(names.length >= 8, `commands in --help: ${names.join(' ')}`);
  return names.map((name) => ({ name, usage: lines(run([name, '--help']).stdout)[0] }));
}

test('a misspelt subcommand is named with a suggestion, not taken as a filter', () => {
  for (const [typo, meant] of [
    ['repaly', 'replay'],
    ['stat', 'stats'],
    ['captrue', 'capture'],
    ['conver', 'convert'],
  ]) {
    const r = run([typo, 'x.scap']);
    assert.equal(r.status, 2, typo);
    assert.deepEqual(lines(r.stderr), [
      `falco-ts: unknown command '${typo}' (did you mean '${meant}'?); run 'falco-ts --help' for the commands`,
    ]);
  }
  // far from every command: no suggestion, still not a filter error
  const far = run(['frobnicate']);
  assert.equal(far.status, 2);
  assert.match(far.stderr, /^falco-ts: unknown command 'frobnicate'; run/);
  // a real filter keeps its own error with the column
  const filt = run(['proc.name=bash', 'and']);
  assert.equal(filt.status, 2);
  assert.match(filt.stderr, /filter error at column 19/);
});

test('an unknown option is one line naming the command, its help and the nearest option', () => {
  const r = run(['replay', '--jsn', 'x.scap']);
  assert.equal(r.status, 2);
  assert.deepEqual(lines(r.stderr), [
    "falco-ts replay: unknown option '--jsn' (Did you mean --json?); see 'falco-ts replay --help'",
  ]);
  const sub = run(['rules', 'validate', '--bogus', 'x']);
  assert.equal(sub.status, 2);
  assert.equal(lines(sub.stderr).length, 1, sub.stderr);
  assert.match(sub.stderr, /^falco-ts rules validate: unknown option '--bogus'/);
});

test('-V never means "version": a Falco-style validation step cannot pass by it', () => {
  const dir = tmpDir();
  const rules = path.join(dir, 'rules.yaml');
  fs.writeFileSync(rules, '- rule: x\n');
  const r = run(['-V', rules]);
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /unknown option '-V' .*rules validate/);
});

test('--version names our version (package.json) and the rules engine version', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = run(['--version']);
  assert.equal(r.status, 0);
  const out = lines(r.stdout);
  assert.equal(out[0], `falco-ts ${pkg.version}`);
  assert.match(out[1], /^Rules engine: \d+\.\d+\.\d+ /);
  assert.equal(out[2], `Node.js: ${process.version}`);
});

test('help CMD prints what CMD --help prints; help of no command fails', () => {
  for (const cmd of ['replay', 'capture', 'rules']) {
    const viaHelp = run(['help', cmd]);
    assert.equal(viaHelp.status, 0, cmd);
    assert.equal(viaHelp.stdout, run([cmd, '--help']).stdout, cmd);
  }
  assert.notEqual(run(['help', 'bogus']).status, 0);
});

test('bash completion: commands, options, paths and choices, in bash itself', (t) => {
  const skip = toolSkip('bash');
  if (skip) return t.skip(skip);
  const dir = tmpDir();
  const script = path.join(dir, 'falco-ts.bash');
  fs.writeFileSync(script, run(['completion', 'bash']).stdout);
  fs.writeFileSync(path.join(dir, 'trace.scap'), '');
  const complete = (...words: string[]): string[] => {
    const prog = `source ${JSON.stringify(script)}; cd ${JSON.stringify(dir)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_falco_ts; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '-c', prog]);
    assert.equal(r.status, 0, r.stderr.toString());
    return lines(r.stdout.toString()).sort();
  };
  const commands = helpCommands().map((c) => c.name);
  assert.deepEqual(complete('falco-ts', 'xyz'), []);
  for (const c of commands) assert.ok(complete('falco-ts', c.slice(0, 3)).includes(c), c);
  assert.deepEqual(complete('falco-ts', 'replay', '--js'), ['--json']);
  assert.deepEqual(complete('falco-ts', 'rules', 'v'), ['validate']);
  assert.deepEqual(complete('falco-ts', 'completion', ''), ['bash', 'fish', 'zsh']);
  // a path option's value and a trace argument complete as files; a template value as nothing
  assert.deepEqual(complete('falco-ts', 'replay', '-w', 'tr'), ['trace.scap']);
  assert.deepEqual(complete('falco-ts', 'replay', 'tr'), ['trace.scap']);
  assert.deepEqual(complete('falco-ts', 'replay', '-p', 'tr'), []);
  // every option of every command's --help is offered after '-'
  for (const c of ['replay', 'capture', 'stats']) {
    const flags = [...run([c, '--help']).stdout.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)].flatMap((m) =>
      m[1] !== undefined ? [m[1], m[2]] : [m[2]],
    );
    const offered = new Set(complete('falco-ts', c, '-'));
    for (const f of flags) assert.ok(offered.has(f), `${c} ${f}`);
  }
});

test('zsh completion: registered with compinit and answering through bashcompinit', (t) => {
  const skip = toolSkip('zsh');
  if (skip) return t.skip(skip);
  const dir = tmpDir();
  const script = path.join(dir, '_falco-ts');
  fs.writeFileSync(script, run(['completion', 'zsh']).stdout);
  const prog = `autoload -U compinit && compinit -u -d ${JSON.stringify(path.join(dir, 'zcompdump'))}
source ${JSON.stringify(script)}
print -r -- "$_comps[falco-ts]"
setopt ksharrays; COMP_WORDS=(falco-ts rules ''); COMP_CWORD=2; _falco_ts; print -r -- "\${COMPREPLY[@]}"`;
  const r = spawnSync('zsh', ['-f', '-c', prog], { env: { ...process.env, HOME: dir } });
  assert.equal(r.status, 0, r.stderr.toString());
  const [registered, words] = lines(r.stdout.toString());
  assert.match(registered, /_bash_complete .*-F _falco_ts/);
  assert.deepEqual(words.split(' ').sort(), ['conditions', 'list', 'validate']);
});

test('fish completion: complete -C offers commands, options and choices', (t) => {
  const skip = toolSkip('fish');
  if (skip) return t.skip(skip);
  const dir = tmpDir();
  const script = path.join(dir, 'falco-ts.fish');
  fs.writeFileSync(script, run(['completion', 'fish']).stdout);
  const complete = (line: string): string[] => {
    const r = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C ${JSON.stringify(line)}`], {
      env: { ...process.env, HOME: dir },
    });
    assert.equal(r.status, 0, r.stderr.toString());
    return lines(r.stdout.toString())
      .map((l) => l.split('\t')[0])
      .sort();
  };
  assert.ok(complete('falco-ts rep').includes('replay'));
  assert.deepEqual(complete('falco-ts replay --js'), ['--json']);
  assert.deepEqual(complete('falco-ts rules v'), ['validate']);
  assert.deepEqual(complete('falco-ts completion '), ['bash', 'fish', 'zsh']);
});

test('man page: groff finds no error, and it shows every command and option of --help', (t) => {
  const skip = toolSkip('groff') || toolSkip('man');
  if (skip) return t.skip(skip);
  const dir = tmpDir();
  const page = path.join(dir, 'falco-ts.1');
  fs.writeFileSync(page, run(['man']).stdout);
  const lint = spawnSync('groff', ['-man', '-ww', '-z', page]);
  assert.equal(lint.status, 0);
  assert.equal(lint.stderr.toString(), '');
  const shown = spawnSync('man', ['-l', page], { env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '' } });
  assert.equal(shown.status, 0, shown.stderr.toString());
  // hyphenation and adjustment are off at width 200 for these short lines; squeeze blanks
  const text = shown.stdout
    .toString()
    .replace(/.\x08/g, '')
    .replace(/[ \t]+/g, ' ');
  for (const { name, usage } of helpCommands()) {
    assert.ok(text.includes(usage.replace(/^Usage: /, '')), `${name}: ${usage}`);
    const flags = [...run([name, '--help']).stdout.matchAll(/^ {2}(-[^ ].*?)(?: {2,}|$)/gm)].map((m) => m[1]);
    for (const f of flags) assert.ok(text.includes(f), `${name}: ${f}`);
  }
});
