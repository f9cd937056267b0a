/**
 * Public API of the SIP transport layer (RFC 3261 §18, RFC 3581, RFC 5626 keep-alives).
 *
 * One TransportLayer owns UDP sockets and TCP servers/connections on one port number,
 * on one or more local addresses (IPv4 and/or IPv6). It parses what arrives, answers
 * malformed requests with 400 itself, and hands well-formed messages up through
 * `onMessage`. It never throws out of a socket handler.
 */
import type { Logger } from '../../log.js';
import type { SipMessage, Via } from '../message/types.js';

export type SipProtocol = 'udp' | 'tcp';

export interface HostPort {
  /** IP literal; IPv6 without brackets; IPv4-mapped IPv6 (::ffff:a.b.c.d) is reported as a.b.c.d. */
  address: string;
  port: number;
}

/** Where a message came from and on which listener. Passed with every inbound message. */
export interface InboundInfo {
  protocol: SipProtocol;
  /** Packet source (UDP) or remote end of the connection (TCP). */
  source: HostPort;
  /** Local address/port the message arrived on. */
  local: HostPort;
  /** Set for TCP: the connection the message came in on (reuse it to answer). */
  connectionId?: string;
  /** Exact bytes of this one message as received. */
  raw: Buffer;
  /**
   * Parsed top Via *after* the transport applied received/rport (requests) — the same
   * value as the first Via of the message. Saves the layers above from re-parsing it.
   * Absent only if the message had no parseable Via.
   */
  topVia?: Via;
}

/** Where to send a message. */
export interface Destination {
  protocol: SipProtocol;
  address: string;
  port: number;
  /**
   * TCP only: send on this connection if it is still open; otherwise fall back to an
   * open connection to address:port, else open a new one.
   */
  connectionId?: string;
  /**
   * UDP only: preferred local address to send from (e.g. the address a request arrived on,
   * so the answer leaves from the address the phone sent to). Ignored when no listener has it.
   */
  localAddress?: string;
}

export interface TransportLimits {
  /** Largest message accepted (whole message incl. body); larger UDP datagrams/TCP frames are errors. */
  maxMessageBytes: number;
  /** Most header lines accepted per message. */
  maxHeaders: number;
}

export interface TcpOptions {
  /** Close a connection with no traffic in either direction for this long. Default 600 000. */
  idleTimeoutMs: number;
  /** Most simultaneous TCP connections (inbound + outbound). Default 1024. */
  maxConnections: number;
  /** Give up opening an outbound connection after this long. Default 5 000. */
  connectTimeoutMs: number;
}

export interface TransportConfig {
  /** One local address to listen on ('127.0.0.1', '::1', '0.0.0.0', '::'). */
  host?: string;
  /** Several local addresses; combined with `host` if both are given. At least one is required. */
  hosts?: string[];
  /** Port for UDP and TCP on every host; 0 = pick one ephemeral port shared by all listeners. */
  port: number;
  limits: TransportLimits;
  logger: Logger;
  tcp?: Partial<TcpOptions>;
  /**
   * Host to put in our Via sent-by (and suggested for Contact) when a listener is bound to
   * a wildcard address. Default: loopback when talking to loopback, otherwise the first
   * non-internal interface address of the destination's family.
   */
  advertisedHost?: string;
}

export interface ListenerInfo {
  protocol: SipProtocol;
  /** Bound address ('0.0.0.0' / '::' for wildcard listeners). */
  address: string;
  port: number;
}

export interface TransportStats {
  /** Well-formed messages delivered to the handler. */
  received: number;
  /** Messages (or TCP streams) that failed to parse or frame. */
  parseErrors: number;
  /** Input dropped without an answer (unparseable responses, no handler, limits, refused connections). */
  dropped: number;
  /** 400 responses the transport generated for malformed requests. */
  badRequestsAnswered: number;
  /** Successful send() calls (the transport's own 400s are in badRequestsAnswered; keep-alive answers are not counted). */
  sent: number;
  /** send() calls that failed. */
  sendErrors: number;
  /** Keep-alive pings received (CRLF / CRLFCRLF on TCP, blank datagrams on UDP). */
  keepalives: number;
  /** TCP connections currently open (inbound + outbound). */
  openConnections: number;
}

export type MessageHandler = (msg: SipMessage, info: InboundInfo) => void;

export interface TransportLayer {
  /** Binds every listener (UDP first, then TCP on the same port). Rejects if a port cannot be bound. */
  start(): Promise<void>;
  /** Closes every socket, server and connection, and clears every timer. Idempotent. */
  stop(): Promise<void>;
  /** Sets the single handler for well-formed inbound messages (replaces any earlier one). */
  onMessage(handler: MessageHandler): void;
  /** Called whenever a TCP connection closes (for dropping aliases or dialog state above). */
  onConnectionClosed(handler: (connectionId: string) => void): void;
  /**
   * Sends one message. A SipMessage is serialized (Content-Length computed from the body).
   * TCP: reuses `dest.connectionId` if open, else an open connection to address:port,
   * else connects (bounded by connectTimeoutMs). Rejects on any failure (never throws sync).
   */
  send(data: Buffer | SipMessage, dest: Destination): Promise<void>;
  /** Bound listeners, one entry per protocol per host, with the actual port. */
  listeners(): ListenerInfo[];
  /**
   * The sent-by host:port to put in our Via (or a Contact) for a message to `dest`:
   * the listener that send() would use for it. Hosts are returned without IPv6 brackets.
   */
  sentBy(dest: Pick<Destination, 'protocol' | 'address'>): { host: string; port: number };
  /**
   * Remembers that `key` (e.g. `user@host` of a registered TCP contact) is reachable over the
   * connection. The alias disappears when the connection closes.
   */
  aliasConnection(key: string, connectionId: string): void;
  /** The open connection aliased to `key`, if any. */
  connectionFor(key: string): string | undefined;
  /** True while the TCP connection is open. */
  hasConnection(connectionId: string): boolean;
  stats(): TransportStats;
}
