/**
 * `falco-ts test SPEC.yaml|DIR...`: runs rule-test spec files; one line per case, a summary,
 * exit 1 on any failure (2 on a malformed spec). `--json` prints a JSON report instead;
 * `--junit FILE` also writes JUnit XML.
 *
 * `falco-ts test --record CASE [--spec SPEC.yaml] -r rules.yaml -- COMMAND...`: captures (live,
 * root) while COMMAND runs, keeps COMMAND's process tree, writes the trace beside the spec and
 * adds (or replaces) case CASE with the alerts that fired as its expectation, for review.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { lazy } from '../util/lazy';
import { colorEnabled } from '../format/colors';
import { InputError } from '../util/errors';

/** the spec runner (and YAML) loads only for this command */
const testing = lazy(() => require('../rule-tests') as typeof import('../rule-tests'));

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export interface TestCliOptions {
  specs: string[];
  json?: boolean;
  junit?: string;
  filter?: string;
  color?: boolean;
}

export async function testCommand(o: TestCliOptions): Promise<number> {
  if (o.specs.length === 0) throw new InputError('test: name at least one spec file (or directory), or use --record');
  const { expandSpecPaths, runSpecs, summarize, caseLine, summaryLine, jsonReport, junitReport } = testing();
  const files = expandSpecPaths(o.specs);
  if (files.length === 0) throw new InputError('test: no spec files (*.yaml) found');
  const t0 = Date.now();
  const color = o.color ?? false;
  const results = await runSpecs(files, {
    filter: o.filter,
    onResult: (r) => {
      if (!o.json) process.stdout.write(caseLine(r, color) + '\n');
    },
  });
  const s = summarize(results, Date.now() - t0);
  if (o.json) process.stdout.write(jsonReport(results, s) + '\n');
  else process.stdout.write(summaryLine(s) + '\n');
  if (o.junit) fs.writeFileSync(o.junit, junitReport(results, s));
  return s.failed + s.errors > 0 ? 1 : 0;
}

export function registerTest(program: Command, done: (code: number) => void): Command {
  return program
    .command('test')
    .description('run rule tests: spec files naming traces, rules and the expected alerts (or --record a new case)')
    .argument('[spec...]', 'spec files or directories of them; with --record: the command to run (after --)')
    .option('--json', 'print a JSON report instead of one line per case')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--filter <text>', 'only cases whose name contains the text')
    .option('--no-color', 'no colours')
    .option(
      '--record <case>',
      'capture (root) while the command after -- runs, write its trace beside the spec and add the case with what fired',
    )
    .option(
      '--spec <file>',
      'with --record: the spec file to add the case to (created if missing; default rule-tests.yaml)',
    )
    .option('--trace <file>', 'with --record: where the trace goes (default: beside the spec, named after the case)')
    .option(
      '-r, --rules <file|dir|default>',
      "with --record: rules files (repeatable; 'default' = our default ruleset)",
      collect,
    )
    .option('-o, --option <key=value>', 'with --record: Falco configuration for the case (repeatable)', collect)
    .option('--must-not-fire <rule>', 'with --record: also expect that this rule does not fire (repeatable)', collect)
    .option('--settle <ms>', 'with --record: keep capturing this long after the command exits (default 300)', (v) =>
      Number(v),
    )
    .addHelpText(
      'after',
      `
Examples:
  falco-ts test test/specs/                         # every spec below the directory
  falco-ts test my-rules.test.yaml --junit out.xml   # JUnit XML for CI
  sudo falco-ts test --record shadow-read --spec my-rules.test.yaml -r my-rules.yaml -- cat /etc/shadow`,
    )
    .action(async (args: string[], o: Record<string, unknown>) => {
      if (typeof o.record === 'string') {
        if (args.length === 0) throw new InputError('test --record: give the command to run after --');
        const rec = await import('../rule-tests/record');
        done(
          await rec.record({
            caseName: o.record,
            spec: (o.spec as string | undefined) ?? 'rule-tests.yaml',
            trace: o.trace as string | undefined,
            rules: (o.rules as string[] | undefined) ?? [],
            overrides: (o.option as string[] | undefined) ?? [],
            mustNotFire: (o.mustNotFire as string[] | undefined) ?? [],
            command: args,
            settleMs: (o.settle as number | undefined) ?? 300,
          }),
        );
        return;
      }
      done(
        await testCommand({
          specs: args,
          json: o.json === true,
          junit: o.junit as string | undefined,
          filter: o.filter as string | undefined,
          color: o.color !== false && colorEnabled(process.stdout),
        }),
      );
    });
}
