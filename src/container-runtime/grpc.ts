/**
 * A minimal gRPC client over HTTP/2 on a unix socket (Node's http2 module): unary calls and
 * server-streaming calls with length-prefixed messages, status from the trailers. No
 * compression, no TLS — what containerd's local socket speaks. The session is unref'd: an idle
 * client never keeps the process alive.
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';

export class GrpcError extends Error {
  /** grpc-status (2 UNKNOWN for transport errors, 4 DEADLINE_EXCEEDED for our timeouts, 5 NOT_FOUND, 14 UNAVAILABLE) */
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

/** Splits a gRPC body into messages; keeps a partial one for the next chunk. */
class Deframer {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer, onMessage: (m: Buffer) => void): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 5) {
      const n = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + n) break;
      if (this.buf[0] !== 0) throw new GrpcError('compressed gRPC message (not supported)', 12);
      const m = this.buf.subarray(5, 5 + n);
      this.buf = this.buf.subarray(5 + n);
      onMessage(m);
    }
  }
  get pending(): number {
    return this.buf.length;
  }
}

function frame(body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
}

export interface StreamHandle {
  cancel(): void;
}

export class GrpcClient {
  private session: http2.ClientHttp2Session | null = null;
  /** unary calls in flight: the session is ref'd while there are any (streams never ref it) */
  private active = 0;

  constructor(
    readonly socketPath: string,
    readonly timeoutMs = 3000,
  ) {}

  private connect(): http2.ClientHttp2Session {
    const cur = this.session;
    if (cur !== null && !cur.closed && !cur.destroyed) return cur;
    const s = http2.connect('http://localhost', { createConnection: () => net.connect(this.socketPath) });
    s.on('error', () => {
      /* each call reports its own failure */
    });
    s.on('close', () => {
      if (this.session === s) this.session = null;
    });
    s.on('goaway', () => {
      if (this.session === s) this.session = null;
    });
    s.unref();
    this.session = s;
    return s;
  }

  private request(path: string, body: Buffer, headers: Record<string, string>): http2.ClientHttp2Stream {
    const req = this.connect().request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    req.end(frame(body));
    return req;
  }

  /** One request, one response message. */
  unary(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const msgs: Buffer[] = [];
      let status: number | null = null;
      let message = '';
      const done = (err: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (--this.active === 0 && this.session !== null) this.session.unref();
        if (err !== null) reject(err);
        else if (status !== null && status !== 0)
          reject(new GrpcError(`${path}: ${message || 'status ' + status}`, status));
        else if (msgs.length === 0) reject(new GrpcError(`${path}: no response message`, 2));
        else resolve(msgs[0]);
      };
      let req: http2.ClientHttp2Stream;
      this.active++;
      try {
        req = this.request(path, body, headers);
        this.session?.ref();
      } catch (e) {
        done(new GrpcError(`${path}: ${(e as Error).message}`, GRPC_UNAVAILABLE));
        return;
      }
      const timer = setTimeout(() => {
        req.close(http2.constants.NGHTTP2_CANCEL);
        done(new GrpcError(`${path}: timed out after ${this.timeoutMs} ms`, GRPC_DEADLINE));
      }, this.timeoutMs);
      const df = new Deframer();
      const readStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) {
          status = Number(h['grpc-status']);
          message = decodeURIComponent(String(h['grpc-message'] ?? ''));
        }
      };
      req.on('response', (h) => {
        const st = h[':status'];
        if (st !== undefined && st !== 200) {
          done(new GrpcError(`${path}: HTTP status ${st}`, GRPC_UNAVAILABLE));
          return;
        }
        readStatus(h);
      });
      req.on('trailers', readStatus);
      req.on('data', (c: Buffer) => {
        try {
          df.push(c, (m) => msgs.push(m));
        } catch (e) {
          done(e as Error);
          req.close(http2.constants.NGHTTP2_CANCEL);
        }
      });
      req.on('end', () => done(null));
      req.on('close', () => done(null));
      req.on('error', (e: Error) => done(new GrpcError(`${path}: ${e.message}`, GRPC_UNAVAILABLE)));
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
    let req: http2.ClientHttp2Stream;
    const end = (err: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    try {
      req = this.request(path, body, headers);
    } catch (e) {
      setImmediate(() => end(new GrpcError(`${path}: ${(e as Error).message}`, GRPC_UNAVAILABLE)));
      return {
        cancel: () => {
          ended = true;
        },
      };
    }
    const r = req;
    const df = new Deframer();
    let status: number | null = null;
    let message = '';
    const readStatus = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) {
        status = Number(h['grpc-status']);
        message = decodeURIComponent(String(h['grpc-message'] ?? ''));
      }
    };
    r.on('response', readStatus);
    r.on('trailers', readStatus);
    r.on('data', (c: Buffer) => {
      try {
        df.push(c, onMessage);
      } catch (e) {
        end(e as Error);
        r.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    const fin = () =>
      end(status !== null && status !== 0 ? new GrpcError(`${path}: ${message || 'status ' + status}`, status) : null);
    r.on('end', fin);
    r.on('close', fin);
    r.on('error', (e: Error) => end(new GrpcError(`${path}: ${e.message}`, GRPC_UNAVAILABLE)));
    return {
      cancel: () => {
        ended = true;
        try {
          r.close(http2.constants.NGHTTP2_CANCEL);
        } catch {
          /* closed */
        }
      },
    };
  }

  close(): void {
    const s = this.session;
    this.session = null;
    if (s !== null) {
      try {
        s.destroy();
      } catch {
        /* closed */
      }
    }
  }
}
