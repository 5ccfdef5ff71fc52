/**
 * Falco's --version (actions/print_version.cpp): its eight lines, or with json_output the
 * versions_info JSON, filled from what falco-ts is (src/webserver/versions.ts, one home for
 * the /versions endpoint too). A version falco-ts has no counterpart for prints as "n/a".
 */
import { versionsInfo, type VersionsInfo } from '../../webserver/versions';
import { packageVersion } from '../version';
import { ENGINE_VERSION } from '../../rules/collector';
import { falcoJson } from './json';

export function falcoVersions(): VersionsInfo {
  return versionsInfo(packageVersion(), ENGINE_VERSION);
}

export function versionText(json: boolean): string {
  const v = falcoVersions();
  if (json) return falcoJson(v) + '\n';
  const or = (s: string): string => (s === '' ? 'n/a' : s);
  return [
    `Falco version: ${v.falco_version} (falco-ts)`,
    `Libs version:  ${or(v.libs_version)}`,
    `Plugin API:    ${or(v.plugin_api_version)}`,
    `Engine:        ${v.engine_version_semver}`,
    'Driver:',
    `  API version:    ${or(v.driver_api_version)}`,
    `  Schema version: ${or(v.driver_schema_version)}`,
    `  Default driver: ${or(v.default_driver_version)}`,
    '',
  ].join('\n');
}
