/**
 * gRPC to a local unix socket (containerd's), through @grpc/grpc-js: unary calls and
 * server-streaming calls on raw message bytes (the messages are encoded by ./protobuf), the
 * status mapped to GrpcError. grpc-js loads on the first call, so runs that never ask a
 * container runtime do not pay for it.
 */
import type * as GrpcJs from '@grpc/grpc-js';
import { lazy } from '../util/lazy';

const grpcJs = lazy(() => require('@grpc/grpc-js') as typeof GrpcJs);

export class GrpcError extends Error {
  /** grpc-status (2 UNKNOWN, 4 DEADLINE_EXCEEDED for our timeouts, 5 NOT_FOUND, 14 UNAVAILABLE) */
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

export const GRPC_NOT_FOUND = 5;
export const GRPC_UNAVAILABLE = 14;
export const GRPC_DEADLINE = 4;
// (grpc-js's status enum holds the same numbers: Status.NOT_FOUND = 5, ...)

export interface StreamHandle {
  cancel(): void;
}

/** messages go through as the bytes ./protobuf encodes and decodes */
const bytes = (b: Buffer): Buffer => b;

export class GrpcClient {
  private client: GrpcJs.Client | null = null;

  constructor(
    readonly socketPath: string,
    readonly timeoutMs = 3000,
  ) {}

  private connect(): GrpcJs.Client {
    if (this.client === null) {
      const g = grpcJs();
      // a fresh connection attempt per call while the socket is absent, not grpc-js's backoff:
      // a runtime that starts later is found at the next lookup
      this.client = new g.Client(`unix://${this.socketPath}`, g.credentials.createInsecure(), {
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1000,
      });
    }
    return this.client;
  }

  private metadata(headers: Record<string, string>): GrpcJs.Metadata {
    const md = new (grpcJs().Metadata)();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return md;
  }

  /** One request, one response message. */
  unary(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let client: GrpcJs.Client;
      try {
        client = this.connect();
      } catch (e) {
        reject(new GrpcError(`${path}: ${(e as Error).message}`, GRPC_UNAVAILABLE));
        return;
      }
      client.makeUnaryRequest(
        path,
        bytes,
        bytes,
        body,
        this.metadata(headers),
        { deadline: Date.now() + this.timeoutMs },
        (err, res) => {
          if (err) reject(asGrpcError(path, err, this.timeoutMs));
          else if (res === undefined) reject(new GrpcError(`${path}: no response message`, 2));
          else resolve(res);
        },
      );
    });
  }

  /**
   * A server-streaming call: onMessage for each message, onEnd once (null on a clean end).
   * The call has no deadline; cancel() ends it.
   */
  stream(
    path: string,
    body: Buffer,
    headers: Record<string, string>,
    onMessage: (m: Buffer) => void,
    onEnd: (err: Error | null) => void,
  ): StreamHandle {
    let ended = false;
    const end = (err: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    let call: GrpcJs.ClientReadableStream<Buffer>;
    try {
      call = this.connect().makeServerStreamRequest(path, bytes, bytes, body, this.metadata(headers), {});
    } catch (e) {
      setImmediate(() => end(new GrpcError(`${path}: ${(e as Error).message}`, GRPC_UNAVAILABLE)));
      return {
        cancel: () => {
          ended = true;
        },
      };
    }
    call.on('data', (m: Buffer) => {
      if (!ended) onMessage(m);
    });
    call.on('error', (e: GrpcJs.ServiceError) => end(asGrpcError(path, e, 0)));
    call.on('end', () => end(null));
    return {
      cancel: () => {
        ended = true;
        call.cancel();
      },
    };
  }

  close(): void {
    const c = this.client;
    this.client = null;
    c?.close();
  }
}

function asGrpcError(path: string, e: GrpcJs.ServiceError, timeoutMs: number): GrpcError {
  const code = Number(e.code);
  if (code === GRPC_DEADLINE) return new GrpcError(`${path}: timed out after ${timeoutMs} ms`, GRPC_DEADLINE);
  return new GrpcError(`${path}: ${e.details || e.message}`, code);
}
