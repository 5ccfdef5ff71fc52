/** `falco-ts --version`: our version and the versions of what we speak, read only when asked. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function versionText(): string {
  const { ENGINE_VERSION } = require('../rules/collector') as typeof import('../rules/collector');
  return [
    `falco-ts ${packageVersion()}`,
    `Rules engine: ${ENGINE_VERSION.join('.')} (highest required_engine_version the rules may ask)`,
    `Node.js: ${process.version}`,
    '',
  ].join('\n');
}

/** package.json beside dist/ (dist/src/cli/version.js → ../../../package.json) */
export function packageVersion(): string {
  const file = path.join(__dirname, '..', '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
