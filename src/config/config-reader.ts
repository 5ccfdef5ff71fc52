/**
 * The typed accessors a falco.yaml section reader gets from the configuration loader: each
 * reads one dotted key with a default and fails with the loader's "Error reading config file"
 * prefix, so section modules share one wording.
 */
export interface ConfigReader {
  /** the key's scalar as text, or undefined when absent or null */
  scalar(key: string): string | undefined;
  bool(key: string, dflt: boolean): boolean;
  num(key: string, dflt: number): number;
  /** throws InputError with the loader's prefix */
  fail(msg: string): never;
}
