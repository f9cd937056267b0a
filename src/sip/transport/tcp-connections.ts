/**
 * TCP connections (inbound and outbound): stream framing, keep-alives (RFC 5626 §4.4.1), idle
 * timeout, connection limit, reuse by id / remote address / alias.
 */
import { connect, type Socket } from 'node:net';
import { frameStream } from '../message/index.js';
import type { ParseLimits } from '../message/types.js';
import type { Logger } from '../../log.js';
import { familyOf, normaliseAddress } from './addressing.js';
import type { HostPort, TcpOptions } from './types.js';

/** Frames handled per 'data' event before yielding the event loop (fairness between peers). */
const MAX_FRAMES_PER_TURN = 256;
const CRLF = Buffer.from('\r\n');

export interface TcpConnection {
  id: string;
  socket: Socket;
  remote: HostPort;
  local: HostPort;
  outbound: boolean;
  buffer: Buffer | null;
  aliases: Set<string>;
  closed: boolean;
  drainScheduled: boolean;
}

export interface TcpConnectionDeps {
  logger: Logger;
  limits: ParseLimits;
  options: TcpOptions;
  /** One whole framed message (bytes) from a connection. Must not throw. */
  onFrame(conn: TcpConnection, raw: Buffer): void;
  onKeepalive(): void;
  onFramingError(conn: TcpConnection, error: string): void;
  onRefused(): void;
  onClosed(connectionId: string): void;
}

export interface TcpConnections {
  adopt(socket: Socket, outbound: boolean): TcpConnection | null;
  /** Open connection for id, else for remote address:port, else undefined. */
  find(id: string | undefined, address: string, port: number): TcpConnection | undefined;
  /** find() or connect (concurrent callers share one attempt). */
  obtain(id: string | undefined, address: string, port: number): Promise<TcpConnection>;
  get(id: string): TcpConnection | undefined;
  alias(key: string, id: string): void;
  byAlias(key: string): string | undefined;
  count(): number;
  closeAll(): Promise<void>;
}

export function createTcpConnections(deps: TcpConnectionDeps): TcpConnections {
  const { logger, limits, options } = deps;
  const byId = new Map<string, TcpConnection>();
  const byRemote = new Map<string, TcpConnection>();
  const aliases = new Map<string, TcpConnection>();
  const connecting = new Map<string, Promise<TcpConnection>>();
  /** Sockets still connecting, so stop() can abort them instead of waiting for the timeout. */
  const opening = new Set<Socket>();
  let nextId = 1;
  let closing = false;

  const remoteKey = (address: string, port: number) => `${address}|${port}`;

  function adopt(socket: Socket, outbound: boolean): TcpConnection | null {
    if (closing || byId.size >= options.maxConnections) {
      deps.onRefused();
      socket.destroy();
      return null;
    }
    const conn: TcpConnection = {
      id: `tcp-${nextId++}`,
      socket,
      remote: { address: normaliseAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 },
      local: { address: normaliseAddress(socket.localAddress ?? ''), port: socket.localPort ?? 0 },
      outbound,
      buffer: null,
      aliases: new Set(),
      closed: false,
      drainScheduled: false,
    };
    byId.set(conn.id, conn);
    byRemote.set(remoteKey(conn.remote.address, conn.remote.port), conn);
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => {
      logger.debug({ connectionId: conn.id }, 'tcp connection idle, closing');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      conn.buffer = conn.buffer ? Buffer.concat([conn.buffer, chunk]) : chunk;
      drain(conn);
    });
    socket.on('error', (err) => logger.debug({ connectionId: conn.id, err: err.message }, 'tcp connection error'));
    socket.on('close', () => forget(conn));
    logger.debug({ connectionId: conn.id, remote: conn.remote, outbound }, 'tcp connection open');
    return conn;
  }

  function forget(conn: TcpConnection): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.buffer = null;
    byId.delete(conn.id);
    const key = remoteKey(conn.remote.address, conn.remote.port);
    if (byRemote.get(key) === conn) byRemote.delete(key);
    for (const a of conn.aliases) if (aliases.get(a) === conn) aliases.delete(a);
    try {
      deps.onClosed(conn.id);
    } catch (err) {
      logger.error({ err }, 'connection-closed handler threw');
    }
  }

  /** Consumes leading CR/LF; answers a CRLFCRLF ping with CRLF. Returns the new offset, or -1 to wait. */
  function skipKeepalives(conn: TcpConnection, buf: Buffer, offset: number): number {
    let end = offset;
    while (end < buf.length && (buf[end] === 13 || buf[end] === 10)) end++;
    if (end === offset) return offset;
    // A ping may be split across reads: wait for up to 4 bytes before deciding.
    if (end === buf.length && end - offset < 4) return -1;
    deps.onKeepalive();
    if (buf.subarray(offset, end).includes('\r\n\r\n')) conn.socket.write(CRLF);
    return end;
  }

  function drain(conn: TcpConnection): void {
    conn.drainScheduled = false;
    const buf = conn.buffer;
    if (!buf || conn.closed) return;
    let offset = 0;
    let frames = 0;
    while (offset < buf.length && !conn.closed) {
      if (frames++ >= MAX_FRAMES_PER_TURN) {
        if (!conn.drainScheduled) {
          conn.drainScheduled = true;
          setImmediate(() => drain(conn));
        }
        break;
      }
      const next = skipKeepalives(conn, buf, offset);
      if (next < 0) break;
      offset = next;
      if (offset >= buf.length) break;
      const rest = buf.subarray(offset);
      let frame;
      try {
        frame = frameStream(rest, limits);
      } catch (err) {
        frame = { kind: 'error' as const, error: `framing failure: ${(err as Error).message}` };
      }
      if (frame.kind === 'incomplete') {
        if (rest.length > limits.maxBytes) frame = { kind: 'error' as const, error: 'message exceeds size limit' };
        else break;
      }
      if (frame.kind === 'error') {
        deps.onFramingError(conn, frame.error);
        conn.socket.destroy();
        forget(conn);
        return;
      }
      if (frame.kind === 'keepalive') {
        deps.onKeepalive();
        offset += frame.length;
        continue;
      }
      deps.onFrame(conn, rest.subarray(0, frame.length));
      offset += frame.length;
    }
    if (conn.closed) return;
    conn.buffer = offset >= buf.length ? null : offset === 0 ? buf : buf.subarray(offset);
  }

  function find(id: string | undefined, address: string, port: number): TcpConnection | undefined {
    if (id) {
      const c = byId.get(id);
      if (c && !c.closed) return c;
    }
    return byRemote.get(remoteKey(normaliseAddress(address), port));
  }

  function open(address: string, port: number): Promise<TcpConnection> {
    return new Promise<TcpConnection>((resolve, reject) => {
      if (byId.size >= options.maxConnections) {
        deps.onRefused();
        reject(new Error(`tcp connection limit (${options.maxConnections}) reached`));
        return;
      }
      const socket = connect({ host: address, port, family: familyOf(address) });
      opening.add(socket);
      const settle = () => {
        clearTimeout(timer);
        opening.delete(socket);
      };
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`tcp connect to ${address}:${port} timed out`));
      }, options.connectTimeoutMs);
      socket.once('error', (err) => {
        settle();
        reject(new Error(`tcp connect to ${address}:${port} failed: ${err.message}`));
      });
      // destroy() by stop() emits only 'close': settle here too (a no-op after success).
      socket.once('close', () => {
        settle();
        reject(new Error(`tcp connect to ${address}:${port} aborted`));
      });
      socket.once('connect', () => {
        settle();
        const conn = adopt(socket, true);
        if (conn) resolve(conn);
        else reject(new Error('tcp connection refused by local limits'));
      });
    });
  }

  function obtain(id: string | undefined, address: string, port: number): Promise<TcpConnection> {
    const existing = find(id, address, port);
    if (existing) return Promise.resolve(existing);
    if (closing) return Promise.reject(new Error('transport stopped'));
    const key = remoteKey(normaliseAddress(address), port);
    let pending = connecting.get(key);
    if (!pending) {
      pending = open(address, port).finally(() => connecting.delete(key));
      connecting.set(key, pending);
    }
    return pending;
  }

  function alias(key: string, id: string): void {
    const conn = byId.get(id);
    if (!conn || conn.closed) return;
    const previous = aliases.get(key);
    if (previous && previous !== conn) previous.aliases.delete(key);
    aliases.set(key, conn);
    conn.aliases.add(key);
  }

  async function closeAll(): Promise<void> {
    closing = true;
    for (const socket of [...opening]) socket.destroy();
    await Promise.allSettled([...connecting.values()]);
    const waits: Promise<void>[] = [];
    for (const conn of [...byId.values()]) {
      waits.push(new Promise<void>((resolve) => {
        if (conn.socket.destroyed) resolve();
        else conn.socket.once('close', () => resolve());
      }));
      conn.socket.destroy();
    }
    await Promise.all(waits);
    for (const conn of [...byId.values()]) forget(conn);
  }

  return {
    adopt,
    find,
    obtain,
    get: (id) => byId.get(id),
    alias,
    byAlias: (key) => aliases.get(key)?.id,
    count: () => byId.size,
    closeAll,
  };
}
