/**
 * The drachtio control port: accepts drachtio-srf connections, authenticates them,
 * keeps their routes and hands `sip` commands to the SIP core. Anything it cannot parse
 * earns a `NO` reply and a closed socket; it never throws out of a socket handler.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { createFrameDecoder, frameText } from './framing.js';
import { parseCommand, simpleResponse, type ControlCommand } from './wire.js';
import { CONTROL_PROTOCOL_VERSION } from './version.js';
import type { AppConnection, ControlServer, ControlServerOptions } from './types.js';

const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

interface Connection extends AppConnection {
  authenticated: boolean;
  closed: boolean;
  routes: Set<string>;
  socket: net.Socket;
  /** Writes the frames queued this event-loop turn now (before ending the socket). */
  flush(): void;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function createControlServer(opts: ControlServerOptions): ControlServer {
  const log = opts.logger;
  const secretDigest = digest(opts.secret);
  /** By connection id, in connection order (findApp runs for every message forwarded to an app). */
  const connections = new Map<string, Connection>();
  const roundRobin = new Map<string, number>();
  let server: net.Server | null = null;

  function secretMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), secretDigest);
  }

  function refuse(conn: Connection, msgId: string, reason: string): void {
    log.warn({ app: conn.id, remote: conn.remote, reason }, 'control: refusing connection');
    conn.send(simpleResponse(msgId, 'NO', reason));
    conn.flush();
    conn.socket.end();
    conn.closed = true;
  }

  function handleCommand(conn: Connection, cmd: ControlCommand): void {
    if (!conn.authenticated) {
      if (cmd.verb !== 'authenticate') return refuse(conn, cmd.msgId, 'authenticate first');
      if (!secretMatches(cmd.args[0] ?? '')) return refuse(conn, cmd.msgId, 'incorrect secret');
      conn.authenticated = true;
      log.info({ app: conn.id, remote: conn.remote }, 'control: app authenticated');
      conn.send(simpleResponse(cmd.msgId, 'OK', opts.hostports(), CONTROL_PROTOCOL_VERSION, opts.localHostports()));
      return;
    }
    switch (cmd.verb) {
      case 'route':
      case 'remove_route': {
        const verb = (cmd.args[0] ?? '').toLowerCase();
        if (verb === '') return refuse(conn, cmd.msgId, `${cmd.verb} needs a verb`);
        if (cmd.verb === 'route') conn.routes.add(verb);
        else conn.routes.delete(verb);
        log.debug({ app: conn.id, verb, op: cmd.verb }, 'control: route changed');
        conn.send(simpleResponse(cmd.msgId, 'OK'));
        return;
      }
      case 'ping':
        conn.send(simpleResponse(cmd.msgId, 'OK', 'pong'));
        return;
      case 'sip':
        if (cmd.sipText === null) return refuse(conn, cmd.msgId, 'sip command without a SIP message');
        opts.handlers.onSipCommand(conn, {
          msgId: cmd.msgId,
          txnId: cmd.args[0] ?? '',
          dialogId: cmd.args[1] ?? '',
          routeUrl: cmd.args[2] ?? '',
          sipText: cmd.sipText,
        });
        return;
      case 'proxy':
        conn.send(simpleResponse(cmd.msgId, 'NOK', 'proxy is not supported by this server'));
        return;
      default:
        return refuse(conn, cmd.msgId, `unknown command ${cmd.verb}`);
    }
  }

  function onConnection(socket: net.Socket): void {
    const decoder = createFrameDecoder({ maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    // Frames sent during one event-loop turn leave in one write: under load a turn handles many
    // datagrams and app commands, and a syscall per frame was the largest single cost (profile).
    // One queue per connection keeps frame order (the ordering rules of protocol notes §4.9).
    let queued: string[] = [];
    let flushScheduled = false;
    const flush = (): void => {
      flushScheduled = false;
      if (queued.length === 0) return;
      const text = queued.length === 1 ? queued[0]! : queued.join('');
      queued = [];
      if (!socket.destroyed && socket.writable) socket.write(text, 'utf8');
    };
    const conn: Connection = {
      id: randomUUID(),
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      authenticated: false,
      closed: false,
      routes: new Set(),
      socket,
      send(payload: string): void {
        if (this.closed || socket.destroyed) return;
        queued.push(frameText(payload));
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      },
      flush,
    };
    connections.set(conn.id, conn);
    socket.setNoDelay(true);
    log.debug({ app: conn.id, remote: conn.remote }, 'control: connection opened');

    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      const result = decoder.push(chunk);
      for (const payload of result.frames) {
        if (conn.closed) return;
        const parsed = parseCommand(payload);
        if (!parsed.ok) return refuse(conn, '', parsed.error);
        try {
          handleCommand(conn, parsed.command);
        } catch (err) {
          // A bug in command handling must not take the server down with it.
          log.error({ err, app: conn.id, verb: parsed.command.verb }, 'control: command failed');
          conn.send(simpleResponse(parsed.command.msgId, 'NOK', 'internal error'));
        }
      }
      if (!result.ok) refuse(conn, '', result.error);
    });
    socket.on('error', (err) => log.debug({ err, app: conn.id }, 'control: socket error'));
    socket.on('close', () => {
      const wasAuthenticated = conn.authenticated;
      conn.closed = true;
      connections.delete(conn.id);
      log.info({ app: conn.id, remote: conn.remote }, 'control: connection closed');
      if (wasAuthenticated) opts.handlers.onAppGone(conn);
    });
  }

  function pickApp(verb: string): AppConnection | null {
    const candidates = [...connections.values()].filter((c) => c.authenticated && !c.closed && c.routes.has(verb));
    if (candidates.length === 0) return null;
    const next = (roundRobin.get(verb) ?? 0) % candidates.length;
    roundRobin.set(verb, next + 1);
    return candidates[next]!;
  }

  return {
    start() {
      return new Promise((resolve, reject) => {
        const srv = net.createServer(onConnection);
        srv.once('error', reject);
        srv.listen(opts.port, opts.host, () => {
          srv.off('error', reject);
          srv.on('error', (err) => log.error({ err }, 'control: server error'));
          server = srv;
          const address = srv.address() as net.AddressInfo;
          log.info({ host: opts.host, port: address.port }, 'control: listening');
          resolve({ port: address.port });
        });
      });
    },
    stop() {
      return new Promise((resolve) => {
        for (const conn of connections.values()) conn.socket.destroy();
        connections.clear();
        if (!server) return resolve();
        server.close(() => resolve());
        server = null;
      });
    },
    pickApp,
    apps: () => [...connections.values()],
    findApp: (appId) => connections.get(appId),
  };
}
