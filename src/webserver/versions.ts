/**
 * The body of GET /versions: Falco's versions_info keys, with what falco-ts is and speaks.
 * Keys naming a part falco-ts does not have (libs, a driver API) hold what stands in for it.
 */
export interface VersionsInfo {
  falco_version: string;
  libs_version: string;
  plugin_api_version: string;
  driver_api_version: string;
  driver_schema_version: string;
  default_driver_version: string;
  engine_version: string;
  engine_version_semver: string;
  plugin_versions: Record<string, string>;
}

export function versionsInfo(version: string, engine: readonly [number, number, number]): VersionsInfo {
  return {
    falco_version: version,
    // our own reader and probe replace libs and the driver: they are versioned with falco-ts
    libs_version: version,
    plugin_api_version: '',
    driver_api_version: '',
    driver_schema_version: '',
    default_driver_version: '',
    engine_version: String(engine[1]),
    engine_version_semver: engine.join('.'),
    plugin_versions: {},
  };
}
