/** Event codes by enum name (PPME_*), resolved from the generated table at load time. */
import { EVENTS } from './generated/events';

const byEnum = new Map<string, number>();
for (const e of EVENTS) if (e) byEnum.set(e.enumName, e.code);

/** Code of a PPME_* enum name; throws at startup if the table lacks it (a typo is a bug). */
export function code(enumName: string): number {
  const c = byEnum.get(enumName);
  if (c === undefined) throw new Error(`unknown event enum ${enumName}`);
  return c;
}

/** All codes whose enum name matches a regular expression. */
export function codesMatching(re: RegExp): number[] {
  const out: number[] = [];
  for (const [n, c] of byEnum) if (re.test(n)) out.push(c);
  return out.sort((a, b) => a - b);
}

/** PPME_GENERIC_E / _X: syscalls without an event of their own (param 0 is the syscall id). */
export const GENERIC_E = code('PPME_GENERIC_E');
export const GENERIC_X = code('PPME_GENERIC_X');

/** True for the two generic syscall events. */
export function isGeneric(type: number): boolean {
  return type === GENERIC_E || type === GENERIC_X;
}
