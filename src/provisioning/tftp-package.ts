/**
 * Typed access to the `tftp` npm package (0.1.x, untyped CommonJS), kept in one place
 * because we reach past its public API in three documented spots:
 *  - `server._socket` (the listening socket): we put our own request check in front of
 *    the package's handler, because the package accepts netascii, cannot answer a write
 *    request with "access violation", normalises traversal names before we see them,
 *    and its handlers throw on some malformed datagrams (which would crash the process);
 *  - `server.port`: the constructor turns port 0 into 69, so we set it again before listen;
 *  - `res._writer._socket` (a transfer's socket): same guard for datagrams during a transfer.
 * Everything else (RRQ streams, OACK, windows, retransmission) is the package's.
 */
import { createRequire } from 'node:module';
import type { Socket, RemoteInfo } from 'node:dgram';
import type { Readable, Writable } from 'node:stream';

export interface TftpTransferStats {
  remoteAddress: string;
  remotePort: number;
  blockSize: number;
}

/** The package's request object (a Readable for uploads; we only serve downloads). */
export interface TftpRequest extends Readable {
  method: 'GET' | 'PUT';
  file: string;
  stats: TftpTransferStats;
  /** Ends the transfer with a TFTP ERROR; the code is derived from the message text. */
  abort(message?: string): void;
}

export interface TftpResponse extends Writable {
  setSize(size: number): void;
}

export interface TftpPackageServer {
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): this;
  on(event: 'listening' | 'close', listener: () => void): this;
  once(event: 'error', listener: (err: NodeJS.ErrnoException) => void): this;
  once(event: 'listening' | 'close', listener: () => void): this;
  removeAllListeners(event?: string): this;
  listen(): void;
  close(): void;
  port: number;
  _socket: Socket;
}

interface TftpModule {
  createServer(
    options: { host: string; port: number; root: string; denyPUT?: boolean; denyGET?: boolean; blockSize?: number; windowSize?: number; retries?: number; timeout?: number },
    listener: (req: TftpRequest, res: TftpResponse) => void,
  ): TftpPackageServer;
  /** Error messages the package maps to RFC 1350 codes (e.g. ENOENT → code 1). */
  ENOENT: string;
  EACCESS: string;
  EIO: string;
}

const require = createRequire(import.meta.url);
export const tftpPackage = require('tftp') as TftpModule;

export type MessageListener = (message: Buffer, rinfo: RemoteInfo) => void;

/**
 * Replaces the package's 'message' listeners on socket with one guarded listener: filter
 * decides first (return false to drop the datagram), and anything the package throws is
 * reported instead of crashing the process.
 */
export function guardSocket(
  socket: Socket,
  filter: (message: Buffer, rinfo: RemoteInfo, forward: () => void) => void,
  onThrow: (err: unknown) => void,
): void {
  const original = socket.listeners('message') as MessageListener[];
  socket.removeAllListeners('message');
  socket.on('message', (message: Buffer, rinfo: RemoteInfo) => {
    const forward = (): void => {
      for (const listener of original) {
        try {
          listener.call(socket, message, rinfo);
        } catch (err) {
          onThrow(err);
        }
      }
    };
    try {
      filter(message, rinfo, forward);
    } catch (err) {
      onThrow(err);
    }
  });
}

/** The transfer socket of a download, if the package's internals are where we expect. */
export function transferSocket(res: TftpResponse): Socket | null {
  const socket = (res as unknown as { _writer?: { _socket?: unknown } })._writer?._socket;
  return socket && typeof (socket as Socket).send === 'function' ? (socket as Socket) : null;
}

// ---- RFC 1350 packets we parse and build ourselves ----------------------------------

export const OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export const TFTP_ERROR = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  ILLEGAL_OPERATION: 4,
} as const;

export interface ParsedRequest {
  opcode: number;
  /** The name exactly as sent (latin1 bytes), before any normalisation. */
  file: string;
  mode: string;
}

/** Parses an RRQ/WRQ head (opcode, file, mode); null when it is not a well-formed request. */
export function parseRequestPacket(message: Buffer): ParsedRequest | null {
  if (message.length < 4) return null;
  const opcode = message.readUInt16BE(0);
  if (opcode !== OPCODE.RRQ && opcode !== OPCODE.WRQ) return null;
  const fileEnd = message.indexOf(0, 2);
  if (fileEnd < 0) return null;
  const modeEnd = message.indexOf(0, fileEnd + 1);
  if (modeEnd < 0) return null;
  return {
    opcode,
    file: message.toString('latin1', 2, fileEnd),
    mode: message.toString('latin1', fileEnd + 1, modeEnd).toLowerCase(),
  };
}

export function errorPacket(code: number, message: string): Buffer {
  // ASCII only, bounded so the packet fits one datagram comfortably.
  const text = message.replace(/[^\x20-\x7e]/g, '?').slice(0, 400);
  const packet = Buffer.alloc(text.length + 5);
  packet.writeUInt16BE(OPCODE.ERROR, 0);
  packet.writeUInt16BE(code, 2);
  packet.write(text, 4, 'ascii');
  return packet;
}
