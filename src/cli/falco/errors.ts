/** A fatal error of a Falco action: Falco prints `Error: <message>` on stderr and exits 1. */
export class FalcoError extends Error {}
