/**
 * The transport layer: UDP sockets and TCP servers on one port across one or more local
 * addresses, inbound parsing (400 for malformed requests), received/rport stamping, and sending.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { serializeMessage } from '../message/index.js';
import type { ParseLimits, SipMessage } from '../message/types.js';
import {
  familyOf, firstInterfaceAddress, isLoopback, isWildcard, loopbackOf, normaliseAddress, type Family,
} from './addressing.js';
import { parseInbound } from './inbound.js';
import { createTcpConnections, type TcpConnection } from './tcp-connections.js';
import type {
  Destination, HostPort, InboundInfo, ListenerInfo, MessageHandler, SipProtocol, TcpOptions,
  TransportConfig, TransportLayer, TransportStats,
} from './types.js';
import { parseTopVia, stampReceived } from './via.js';

const DEFAULT_TCP: TcpOptions = { idleTimeoutMs: 600_000, maxConnections: 1024, connectTimeoutMs: 5_000 };
/** Attempts to find an ephemeral port free for both UDP and TCP on every host. */
const EPHEMERAL_BIND_ATTEMPTS = 8;
const SERVER_NAME = 'hookflash';

interface UdpListener { socket: UdpSocket; address: string; family: Family; dualStack: boolean; port: number }
interface TcpListener { server: Server; address: string; family: Family; port: number }

/** Requested SO_RCVBUF for UDP listeners (the kernel limits it to net.core.rmem_max). */
const UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export function createTransportLayer(config: TransportConfig): TransportLayer {
  const { logger } = config;
  const hosts = [...new Set([...(config.host ? [config.host] : []), ...(config.hosts ?? [])])];
  if (hosts.length === 0) throw new Error('transport: at least one host is required');
  const limits: ParseLimits = { maxBytes: config.limits.maxMessageBytes, maxHeaders: config.limits.maxHeaders };
  const tcpOptions: TcpOptions = { ...DEFAULT_TCP, ...config.tcp };
  // A wildcard IPv6 socket would also take IPv4 unless told otherwise; only allow that when no
  // IPv4 listener needs the same port.
  const hasIpv4Host = hosts.some((h) => familyOf(h) === 4);

  let udp: UdpListener[] = [];
  let tcp: TcpListener[] = [];
  let state: 'new' | 'started' | 'stopped' = 'new';
  let messageHandler: MessageHandler | null = null;
  let closedHandler: ((id: string) => void) | null = null;
  const counters = {
    received: 0, parseErrors: 0, dropped: 0, badRequestsAnswered: 0, sent: 0, sendErrors: 0, keepalives: 0,
  };

  const connections = createTcpConnections({
    logger,
    limits,
    options: tcpOptions,
    onFrame: (conn, raw) => handleInbound(raw, {
      protocol: 'tcp', source: conn.remote, local: conn.local, connectionId: conn.id, raw,
    }, (bytes) => conn.socket.write(bytes)),
    onKeepalive: () => { counters.keepalives++; },
    onFramingError: (conn, error) => {
      counters.parseErrors++;
      logger.warn({ connectionId: conn.id, remote: conn.remote, error }, 'tcp framing error, closing connection');
    },
    onRefused: () => { counters.dropped++; },
    onClosed: (id) => {
      if (closedHandler) closedHandler(id);
    },
  });

  /** Parses, answers 400 or stamps received/rport, then hands up. Never throws. */
  function handleInbound(raw: Buffer, info: InboundInfo, reply: (bytes: Buffer) => void): void {
    try {
      const parsed = parseInbound(raw, limits, SERVER_NAME);
      if (!parsed.ok) {
        counters.parseErrors++;
        logger.info({ protocol: info.protocol, source: info.source, error: parsed.error }, 'malformed SIP message');
        if (parsed.badRequest) {
          reply(parsed.badRequest);
          counters.badRequestsAnswered++;
        } else {
          counters.dropped++;
        }
        return;
      }
      const msg = parsed.message;
      const topVia = msg.kind === 'request' ? stampReceived(msg, info.source) : parseTopVia(msg);
      if (topVia) info.topVia = topVia;
      if (!messageHandler) {
        counters.dropped++;
        return;
      }
      counters.received++;
      messageHandler(msg, info);
    } catch (err) {
      counters.dropped++;
      logger.error({ err, source: info.source }, 'error handling inbound SIP message');
    }
  }

  function onDatagram(listener: UdpListener, raw: Buffer, rinfo: { address: string; port: number }): void {
    // Blank datagrams are NAT keep-alives (RFC 5626 uses CRLFCRLF on UDP too without STUN).
    if (raw.length <= 4 && raw.every((b) => b === 13 || b === 10 || b === 0 || b === 32)) {
      counters.keepalives++;
      return;
    }
    const source: HostPort = { address: normaliseAddress(rinfo.address), port: rinfo.port };
    const local: HostPort = { address: listener.address, port: listener.port };
    handleInbound(raw, { protocol: 'udp', source, local, raw }, (bytes) => {
      listener.socket.send(bytes, rinfo.port, rinfo.address, (err) => {
        if (err) logger.debug({ err: err.message }, 'udp 400 send failed');
      });
    });
  }

  function bindUdp(address: string, port: number): Promise<UdpListener> {
    const family = familyOf(address);
    const dualStack = family === 6 && isWildcard(address) && !hasIpv4Host;
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 && !dualStack });
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(err);
      });
      socket.bind({ address, port, exclusive: true }, () => {
        socket.removeAllListeners('error');
        // The 208 KiB default queue holds only ~90 datagrams: a short stall (GC, a burst of
        // app traffic) then drops requests and the peers' retransmissions pile on. The kernel
        // caps this at net.core.rmem_max.
        try {
          socket.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
        } catch {
          // not permitted here: keep the default
        }
        const listener: UdpListener = { socket, address, family, dualStack, port: socket.address().port };
        socket.on('error', (err) => logger.warn({ err: err.message, address }, 'udp socket error'));
        socket.on('message', (raw, rinfo) => onDatagram(listener, raw, rinfo));
        resolve(listener);
      });
    });
  }

  function bindTcp(address: string, port: number): Promise<TcpListener> {
    const family = familyOf(address);
    const server = createServer({ noDelay: true });
    return new Promise((resolve, reject) => {
      server.once('error', (err) => reject(err));
      server.listen({ host: address, port, exclusive: true, ipv6Only: family === 6 && hasIpv4Host }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => logger.warn({ err: err.message, address }, 'tcp server error'));
        server.on('connection', (socket: Socket) => { connections.adopt(socket, false); });
        const bound = server.address();
        resolve({ server, address, family, port: typeof bound === 'object' && bound ? bound.port : port });
      });
    });
  }

  async function closeListeners(): Promise<void> {
    await Promise.all([
      ...udp.map((l) => new Promise<void>((resolve) => l.socket.close(() => resolve()))),
      ...tcp.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))),
    ]);
    udp = [];
    tcp = [];
  }

  /** UDP first (ephemeral port chosen there), then TCP on the same port, then the other hosts. */
  async function bindAll(): Promise<void> {
    const attempts = config.port === 0 ? EPHEMERAL_BIND_ATTEMPTS : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        let port = config.port;
        for (const host of hosts) {
          const u = await bindUdp(host, port);
          udp.push(u);
          port = u.port;
          tcp.push(await bindTcp(host, port));
        }
        return;
      } catch (err) {
        lastError = err;
        await closeListeners();
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
      }
    }
    throw lastError;
  }

  function pickUdp(dest: Destination): { listener: UdpListener; address: string } {
    const family = familyOf(dest.address);
    if (dest.localAddress) {
      const exact = udp.find((l) => l.address === dest.localAddress);
      if (exact && (exact.family === family || exact.dualStack)) return { listener: exact, address: mapFor(exact, dest.address) };
    }
    const sameFamily = udp.filter((l) => l.family === family);
    const loop = isLoopback(dest.address);
    const preferred = sameFamily.find((l) => isWildcard(l.address) || isLoopback(l.address) === loop) ?? sameFamily[0];
    if (preferred) return { listener: preferred, address: dest.address };
    const dual = udp.find((l) => l.dualStack);
    if (dual) return { listener: dual, address: mapFor(dual, dest.address) };
    throw new Error(`no UDP listener for IPv${family} destination ${dest.address}`);
  }

  function mapFor(listener: UdpListener, address: string): string {
    return listener.family === 6 && familyOf(address) === 4 ? `::ffff:${address}` : address;
  }

  function sendUdp(buf: Buffer, dest: Destination): Promise<void> {
    const { listener, address } = pickUdp(dest);
    return new Promise((resolve, reject) => {
      listener.socket.send(buf, dest.port, address, (err) => (err ? reject(err) : resolve()));
    });
  }

  async function sendTcp(buf: Buffer, dest: Destination): Promise<void> {
    const conn: TcpConnection = await connections.obtain(dest.connectionId, dest.address, dest.port);
    await new Promise<void>((resolve, reject) => {
      conn.socket.write(buf, (err) => (err ? reject(err) : resolve()));
    });
  }

  async function send(data: Buffer | SipMessage, dest: Destination): Promise<void> {
    try {
      if (state !== 'started') throw new Error('transport not started');
      const buf = Buffer.isBuffer(data) ? data : serializeMessage(data);
      if (dest.protocol === 'udp') await sendUdp(buf, dest);
      else await sendTcp(buf, dest);
      counters.sent++;
    } catch (err) {
      counters.sendErrors++;
      throw err instanceof Error ? err : new Error(String(err));
    }
  }

  function sentBy(dest: Pick<Destination, 'protocol' | 'address'>): { host: string; port: number } {
    const family = familyOf(dest.address);
    const list: Array<{ address: string; family: Family; port: number }> = dest.protocol === 'udp' ? udp : tcp;
    const listener = list.find((l) => l.family === family && (isWildcard(l.address) || isLoopback(l.address) === isLoopback(dest.address)))
      ?? list.find((l) => l.family === family) ?? list[0];
    if (!listener) throw new Error('transport not started');
    if (!isWildcard(listener.address)) return { host: listener.address, port: listener.port };
    // A dual-stack wildcard socket talks to either family: advertise the destination's.
    const dualStack = listener.family === 6 && !hasIpv4Host;
    const lfamily = dualStack ? family : listener.family;
    const host = config.advertisedHost
      ?? (isLoopback(dest.address) ? loopbackOf(lfamily) : firstInterfaceAddress(lfamily) ?? loopbackOf(lfamily));
    return { host, port: listener.port };
  }

  return {
    async start() {
      if (state !== 'new') throw new Error(`transport cannot start from state ${state}`);
      await bindAll();
      state = 'started';
      logger.info({ listeners: this.listeners() }, 'sip transport listening');
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      await connections.closeAll();
      await closeListeners();
    },
    onMessage(handler) { messageHandler = handler; },
    onConnectionClosed(handler) { closedHandler = handler; },
    send,
    listeners(): ListenerInfo[] {
      const out: ListenerInfo[] = [];
      for (let i = 0; i < udp.length; i++) {
        out.push({ protocol: 'udp' as SipProtocol, address: udp[i]!.address, port: udp[i]!.port });
        const t = tcp[i];
        if (t) out.push({ protocol: 'tcp', address: t.address, port: t.port });
      }
      return out;
    },
    sentBy,
    aliasConnection: (key, id) => connections.alias(key, id),
    connectionFor: (key) => connections.byAlias(key),
    hasConnection: (id) => connections.get(id) !== undefined,
    stats(): TransportStats {
      return { ...counters, openConnections: connections.count() };
    },
  };
}
