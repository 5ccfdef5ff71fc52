/**
 * Falco's --support (actions/print_support.cpp): one JSON object with the system (uname),
 * the versions, the command line, the configuration as falco-ts read it, and the content of
 * each loaded rules file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { falcoVersions } from './version';
import { falcoJson } from './json';

export function supportJson(cmdline: string, config: unknown, rulesFiles: readonly string[]): string {
  const v = falcoVersions();
  return (
    falcoJson({
      system_info: {
        sysname: os.type(),
        nodename: os.hostname(),
        release: os.release(),
        version: os.version(),
        machine: os.machine(),
      },
      version: v.falco_version,
      engine_info: v,
      cmdline,
      config,
      rules_files: rulesFiles.map((name) => ({ name, variants: [{ content: fs.readFileSync(name, 'utf8') }] })),
    }) + '\n'
  );
}
