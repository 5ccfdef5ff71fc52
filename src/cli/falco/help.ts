/**
 * `falco -h`: Falco 0.44's options in cxxopts' help layout, each described as falco-ts
 * acts on it (where it differs from Falco, the description says so).
 */
const OPTIONS: [string, string][] = [
  ['-h, --help', 'Print this help list and exit.'],
  ['-c <path>', 'Configuration file. If not specified uses /etc/falco/falco.yaml when it exists, else the defaults.'],
  ['    --config-schema', 'Not available in falco-ts (exits 1).'],
  ['    --rule-schema', 'Not available in falco-ts (exits 1).'],
  [
    '    --disable-source <event_source>',
    "Turn off a specific <event_source>. falco-ts has one source, 'syscall', so turning it off is refused. Can not be mixed with --enable-source. No effect when reproducing events from a capture file.",
  ],
  ['    --dry-run', 'Run without processing events: checks that the configuration and rules have no errors.'],
  ['    --enable-source <event_source>', "Enable only the given <event_source> ('syscall'). Repeatable."],
  ['-i', 'Print the events that are ignored by default for performance reasons and exit.'],
  [
    '-L',
    'Show the name and description of all rules and exit. With json_output=true, details of all rules, macros and lists in JSON.',
  ],
  ['-l <rule>', 'Show the name and description of the rule <rule> and exit (JSON with json_output=true).'],
  ['    --list [=<source>]', "List all defined fields and exit; with =<source>, only those of <source> ('syscall')."],
  ['    --list-events', 'List all defined syscall events, metaevents, tracepoint events and exit.'],
  ['    --list-plugins', 'Print info on all loaded plugins and exit (falco-ts loads none).'],
  ['-M <num_seconds>', 'Stop after <num_seconds> of events (event timestamps, as Falco).'],
  ['    --markdown', 'DEPRECATED: use --format markdown instead.'],
  ['    --format <format>', "Output format of --list and --list-events: 'text', 'markdown' or 'json'."],
  ['-N', 'Only print field names with --list.'],
  [
    '-o, --option <opt>=<val>',
    'Set the value of option <opt> to <val>, overriding the configuration file (dot notation, e.g. engine.kind=replay).',
  ],
  [
    '    --plugin-info <plugin_name>',
    'Print info for the plugin <plugin_name> and exit (falco-ts loads no plugin: exits 1).',
  ],
  ['-p, --print <output_format>', 'DEPRECATED in Falco; not supported by falco-ts (exits 1): use append_output.'],
  ['-P, --pidfile <pid_file>', 'Write the PID to <pid_file> (mode 0644, not in --dry-run).'],
  [
    '-r <rules_file>',
    'Rules file or directory (only .yml/.yaml files in it), repeatable. Default: rules_file of the configuration.',
  ],
  ['    --support', 'Print support information (version, rules files, configuration) in JSON and exit.'],
  ['-U, --unbuffered', 'Turn off output buffering: alerts are written as they are raised.'],
  [
    '-V, --validate <rules_file>',
    'Read the <rules_file> file(s), validate the loaded rules, and exit (1 on errors). Repeatable.',
  ],
  ['-v', 'Enable verbose output.'],
  ['    --version', 'Print version information and exit.'],
  ['    --page-size', 'Print the system page size and exit.'],
];

export function usage(): string {
  const w = Math.max(...OPTIONS.map(([o]) => o.length)) + 2;
  const body = OPTIONS.map(([o, d]) => `  ${o.padEnd(w)}${d}\n`).join('');
  return `Falco - Cloud Native Runtime Security (falco-ts)\nUsage:\n  falco [OPTION...]\n\n${body}`;
}
