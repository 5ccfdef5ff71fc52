/** `falco-ts completion SHELL` and `falco-ts man`: generated from the program's own definitions. */
import { Argument, type Command } from 'commander';
import { lazy } from '../../util/lazy';

/** the shells `completion` writes scripts for */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const completion = lazy(() => require('./completion') as typeof import('./completion'));

const tree = lazy(() => require('./command-tree') as typeof import('./command-tree'));

export function registerDocs(program: Command, done: (code: number) => void): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish) for falco-ts')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  falco-ts completion bash > /etc/bash_completion.d/falco-ts
  falco-ts completion zsh > "\${fpath[1]}/_falco-ts"
  falco-ts completion fish > ~/.config/fish/completions/falco-ts.fish`,
    )
    .action((shell: string) => {
      process.stdout.write(completion().completionScript(shell, tree().commandTree(program)));
      done(0);
    });
  program
    .command('man')
    .description('print the manual page (roff) of falco-ts')
    .addHelpText(
      'after',
      `
Examples:
  falco-ts man | man -l -
  falco-ts man > /usr/local/share/man/man1/falco-ts.1`,
    )
    .action(() => {
      const { manPage } = require('./manpage') as typeof import('./manpage');
      const { packageVersion } = require('../version') as typeof import('../version');
      process.stdout.write(manPage(tree().commandTree(program), packageVersion()));
      done(0);
    });
}
