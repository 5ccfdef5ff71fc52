/**
 * The command line as data, read from the commander definitions, so that help, shell completion
 * and the man page all come from one place and cannot drift from what the parser accepts.
 */
import type { Command } from 'commander';
import type { EventEmitter } from 'node:events';

export interface OptionDoc {
  /** as written in the help, e.g. "-r, --rules <file|dir|default>" */
  flags: string;
  short?: string;
  long?: string;
  description: string;
  /** the option takes a value (required or optional) */
  takesValue: boolean;
  /** the value names a file or directory (completion offers paths) */
  takesPath: boolean;
}

export interface ArgumentDoc {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  choices?: readonly string[];
}

export interface CommandDoc {
  /** the words that reach this command, e.g. ["falco-ts", "rules", "validate"] */
  path: string[];
  name: string;
  description: string;
  usage: string;
  options: OptionDoc[];
  arguments: ArgumentDoc[];
  commands: CommandDoc[];
  /** text shown after the options (examples), as in --help */
  examples: string;
}

/** a value placeholder naming a file, a directory or a YAML file */
const PATH_VALUE = /<[^>]*(file|dir|ya?ml|path)[^>]*>/i;

export function commandTree(cmd: Command, parent: string[] = []): CommandDoc {
  const path = [...parent, cmd.name()];
  return {
    path,
    name: cmd.name(),
    description: cmd.description(),
    usage: cmd.usage(),
    options: [...cmd.options, HELP_OPTION]
      .filter((o) => !o.hidden)
      .map((o) => ({
        flags: o.flags,
        short: o.short,
        long: o.long,
        description: o.description,
        takesValue: o.required || o.optional,
        takesPath: (o.required || o.optional) && PATH_VALUE.test(o.flags),
      })),
    arguments: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      description: a.description,
      required: a.required,
      variadic: a.variadic,
      choices: a.argChoices,
    })),
    commands: cmd.commands.filter((c) => c.name() !== 'help').map((c) => commandTree(c, path)),
    examples: helpAfterText(cmd),
  };
}

/** every command of the tree, depth first, the root first */
export function allCommands(root: CommandDoc): CommandDoc[] {
  return [root, ...root.commands.flatMap(allCommands)];
}

/** commander adds -h/--help to every command outside its options list */
const HELP_OPTION = {
  flags: '-h, --help',
  short: '-h',
  long: '--help',
  description: 'display help for command',
  required: false,
  optional: false,
  hidden: false,
};

/**
 * the text added with addHelpText('after', ...): commander keeps it only as an 'afterHelp'
 * listener (a Command is an EventEmitter at run time; its typings do not say so)
 */
function helpAfterText(cmd: Command): string {
  const emitter = cmd as unknown as EventEmitter;
  let text = '';
  const write = (s: string) => {
    text += s;
  };
  const ctx = { error: false, command: cmd, write };
  for (const l of emitter.listeners('afterHelp')) (l as (c: typeof ctx) => void)(ctx);
  return text.trim();
}
