/** An error the user caused (bad input, bad usage): printed as one line, exit code 2. */
export class InputError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'InputError';
    this.exitCode = exitCode;
  }
}

/** A malformed trace: carries the absolute (uncompressed) byte offset where it was found. */
export class TraceFormatError extends InputError {
  readonly offset: number;
  readonly detail: string;
  constructor(detail: string, offset: number, text?: string) {
    super(text ?? `${detail} at byte ${offset}`);
    this.name = 'TraceFormatError';
    this.offset = offset;
    this.detail = detail;
  }
}
