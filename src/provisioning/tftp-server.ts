/**
 * TFTP transport: what factory-fresh SPA devices use for `/spa$PSN.cfg` (DHCP option 66),
 * plus per-MAC files and firmware images. It only translates: every read request goes
 * through the provisioning pipeline, and the pipeline's verdict becomes either a
 * transfer (the `tftp` package streams it) or a TFTP ERROR packet we send ourselves:
 *   not found → code 1 "File not found"; refused (allow-list, traversal) and write
 *   requests → code 2 "Access violation"; netascii/mail mode and rate limits → code 0
 *   with a message saying why. Nothing is ever written to disk.
 */
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import type { RemoteInfo } from 'node:dgram';
import type { Logger } from '../log.js';
import type { ProvisioningResult, ProvisioningService } from './pipeline.js';
import {
  errorPacket, guardSocket, OPCODE, parseRequestPacket, TFTP_ERROR, tftpPackage, transferSocket,
  type TftpPackageServer, type TftpRequest, type TftpResponse,
} from './tftp-package.js';

export interface TftpServerDeps {
  service: Pick<ProvisioningService, 'handle'>;
  host: string;
  port: number;
  logger: Logger;
  /** Per-packet retransmission timeout and retries of a transfer (package defaults: 3000 ms, 3). */
  timeoutMs?: number;
  retries?: number;
  /**
   * Receive buffer of the request socket (default 4 MiB; the kernel caps it at
   * net.core.rmem_max). A whole office rebooting sends hundreds of RRQs at once; the
   * 208 KiB default drops most of them and devices wait for their retransmit timers.
   */
  receiveBufferBytes?: number;
}

export type TftpStartResult = { ok: true; port: number } | { ok: false; error: string; code?: string };

export interface TftpServer {
  start(): Promise<TftpStartResult>;
  stop(): Promise<void>;
}

type Servable = Extract<ProvisioningResult, { kind: 'profile' | 'firmware' }>;

/** Verdicts waiting for the package to open the transfer; bounded against floods. */
const MAX_PENDING = 4_096;
/** Longest a claim on a client endpoint lasts if its transfer never reports an end. */
const CLAIM_MS = 60_000;

export function createTftpServer(deps: TftpServerDeps): TftpServer {
  const { logger } = deps;
  let server: TftpPackageServer | null = null;
  const pending = new Map<string, Servable>();
  // Client endpoints with a request being decided or a transfer running, and until when
  // that claim holds. A retransmitted RRQ must not start a second transfer to the same
  // client port: two DATA streams would interleave into a corrupt file.
  const busy = new Map<string, number>();
  const now = Date.now;

  function claim(key: string): boolean {
    const until = busy.get(key);
    if (until !== undefined && until > now()) return false;
    if (busy.size >= MAX_PENDING) {
      for (const [k, t] of busy) if (t <= now()) busy.delete(k);
      if (busy.size >= MAX_PENDING) busy.delete(busy.keys().next().value as string);
    }
    busy.set(key, now() + CLAIM_MS);
    return true;
  }
  const active = new Set<TftpRequest>();

  function reply(rinfo: RemoteInfo, code: number, message: string): void {
    const packet = errorPacket(code, message);
    server?._socket.send(packet, rinfo.port, rinfo.address, (err) => {
      if (err) logger.debug({ err, ip: rinfo.address }, 'could not send TFTP error');
    });
  }

  function answerRefusal(rinfo: RemoteInfo, result: Exclude<ProvisioningResult, Servable>, file: string): void {
    switch (result.kind) {
      case 'not-found':
        return reply(rinfo, TFTP_ERROR.FILE_NOT_FOUND, 'File not found');
      case 'forbidden':
        logger.info({ ip: rinfo.address, file: JSON.stringify(file), reason: result.reason }, 'TFTP request refused');
        return reply(rinfo, TFTP_ERROR.ACCESS_VIOLATION, `Access violation: ${result.reason}`);
      case 'rate-limited':
        return reply(rinfo, TFTP_ERROR.NOT_DEFINED, `Too many failed requests from this address; retry in ${result.retryAfterSeconds} s`);
      case 'error':
        return reply(rinfo, TFTP_ERROR.NOT_DEFINED, `Server error: ${result.reason}`);
    }
  }

  /** Runs before the package sees a datagram on the listening socket. */
  function front(message: Buffer, rinfo: RemoteInfo, forward: () => void): void {
    const request = parseRequestPacket(message);
    if (!request) {
      const opcode = message.length >= 2 ? message.readUInt16BE(0) : -1;
      const why = opcode === OPCODE.RRQ || opcode === OPCODE.WRQ
        ? 'malformed request: file name and mode must each end with a NUL byte'
        : 'only read requests (RRQ) are accepted on this port';
      return reply(rinfo, TFTP_ERROR.ILLEGAL_OPERATION, `Illegal TFTP operation: ${why}`);
    }
    if (request.opcode === OPCODE.WRQ) {
      logger.info({ ip: rinfo.address, file: JSON.stringify(request.file) }, 'TFTP write request refused');
      return reply(rinfo, TFTP_ERROR.ACCESS_VIOLATION, 'Access violation: this server does not accept uploads');
    }
    if (request.mode !== 'octet') {
      return reply(rinfo, TFTP_ERROR.NOT_DEFINED, `Transfer mode "${request.mode}" is not supported; use octet (binary) mode`);
    }
    const key = endpointKey(rinfo.address, rinfo.port);
    // A client retransmitting its RRQ while we decide or already transfer: the first one answers.
    if (!claim(key)) return;
    deps.service
      .handle({ transport: 'tftp', file: request.file, userAgent: null, ip: rinfo.address })
      .then((result) => {
        if (result.kind === 'profile' || result.kind === 'firmware') {
          if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
          pending.set(key, result);
          forward();
        } else {
          busy.delete(key);
          answerRefusal(rinfo, result, request.file);
        }
      })
      .catch((err: unknown) => {
        busy.delete(key);
        logger.error({ err, ip: rinfo.address }, 'TFTP request failed');
        reply(rinfo, TFTP_ERROR.NOT_DEFINED, 'Server error');
      });
  }

  /** The package opened a transfer for a request front() forwarded. */
  function onTransfer(req: TftpRequest, res: TftpResponse): void {
    // Without an 'error' listener a transfer timeout would be an uncaught exception.
    req.on('error', (err: Error) => logger.debug({ err: err.message, file: req.file }, 'TFTP transfer ended with an error'));
    const key = endpointKey(req.stats.remoteAddress, req.stats.remotePort);
    const result = pending.get(key);
    pending.delete(key);
    if (req.method !== 'GET' || !result) {
      busy.delete(key);
      req.abort(tftpPackage.EIO);
      return;
    }
    const socket = transferSocket(res);
    if (socket) {
      // RFC 1350 transfer IDs: datagrams from anyone but the client are not part of this transfer.
      guardSocket(
        socket,
        (message, rinfo, forward) => {
          if (message.length >= 4 && rinfo.port === req.stats.remotePort && rinfo.address === req.stats.remoteAddress) forward();
        },
        (err) => logger.warn({ err }, 'tftp package threw while handling a transfer datagram'),
      );
    }
    active.add(req);
    req.once('close', () => {
      active.delete(req);
      busy.delete(key);
    });
    if (result.kind === 'profile') {
      res.setSize(result.body.length);
      res.end(result.body);
      return;
    }
    const file = createReadStream(result.path);
    file.on('error', (err) => {
      logger.error({ err, file: result.file }, 'firmware image could not be read');
      req.abort(tftpPackage.EIO);
    });
    res.setSize(result.size);
    file.pipe(res);
  }

  return {
    start() {
      return new Promise<TftpStartResult>((resolve) => {
        let created: TftpPackageServer;
        try {
          created = tftpPackage.createServer(
            {
              host: deps.host,
              // The package maps 0 to 69; the real port is set just below.
              port: deps.port || 69,
              root: tmpdir(), // checked by listen(), never read: every request goes through front()
              denyPUT: false,
              ...(deps.timeoutMs ? { timeout: deps.timeoutMs } : {}),
              ...(deps.retries ? { retries: deps.retries } : {}),
            },
            onTransfer,
          );
        } catch (err) {
          resolve({ ok: false, error: `cannot start TFTP on ${deps.host}:${deps.port}: ${(err as Error).message}` });
          return;
        }
        created.port = deps.port;
        guardSocket(created._socket, front, (err) => logger.warn({ err }, 'tftp package threw while handling a request'));
        created.once('error', (err) => {
          try {
            created.close();
          } catch {
            // the socket never bound; nothing to close
          }
          resolve({ ok: false, error: explainBindError(err, deps.host, deps.port), ...(err.code ? { code: err.code } : {}) });
        });
        created.once('listening', () => {
          created.removeAllListeners('error');
          created.on('error', (err) => logger.error({ err }, 'TFTP socket error'));
          server = created;
          try {
            created._socket.setRecvBufferSize(deps.receiveBufferBytes ?? 4 * 1024 * 1024);
          } catch (err) {
            logger.warn({ err }, 'could not enlarge the TFTP receive buffer; request bursts may be dropped');
          }
          const port = created._socket.address().port;
          logger.info({ host: deps.host, port }, 'TFTP listening');
          resolve({ ok: true, port });
        });
        created.listen();
      });
    },

    async stop() {
      const running = server;
      if (!running) return;
      server = null;
      for (const req of active) req.abort();
      active.clear();
      pending.clear();
      busy.clear();
      await new Promise<void>((resolve) => {
        running.once('close', resolve);
        running.close();
      });
    },
  };
}

function endpointKey(address: string, port: number): string {
  return `${address}|${port}`;
}

/** One line an operator can act on (the lead logs it and keeps the rest serving). */
export function explainBindError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `UDP ${host}:${port}`;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied binding ${where} (ports below 1024 need privileges). Fix: run as root, ` +
        `or let node bind low ports: sudo setcap 'cap_net_bind_service=+ep' $(which node), ` +
        `or set HOOKFLASH_TFTP_PORT=1069 and forward UDP 69 to it ` +
        `(iptables -t nat -A PREROUTING -p udp --dport 69 -j REDIRECT --to-ports 1069)`;
    case 'EADDRINUSE':
      return `${where} is already in use (another TFTP server such as tftpd-hpa or dnsmasq?). ` +
        `Fix: stop that server, or set HOOKFLASH_TFTP_PORT to a free port and forward UDP 69 to it`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; set tftp.host to one of its addresses or 0.0.0.0`;
    default:
      return `cannot bind ${where}: ${err.message}`;
  }
}
