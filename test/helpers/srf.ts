/**
 * Test helper: an embedded SIP server in a temp data dir (port 0 everywhere, short timers)
 * plus real drachtio-srf apps connected to its control port. Everything started here is
 * stopped in t.teardown so tap can exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect as netConnect } from 'node:net';
import Srf from 'drachtio-srf';
import type { Config } from '../../src/config-types.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { createSipServer, type SipServer } from '../../src/sip/server.js';

/*
 * drachtio-srf's bundled typings lag its API (no srf.options(), no dialog.id, narrow
 * res.send overloads), so tests drive it untyped rather than fight the declarations.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SrfApp = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SrfReq = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SrfRes = any;

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface EmbeddedServer {
  server: SipServer;
  sipPort: number;
  controlPort: number;
  secret: string;
  dataDir: string;
  /** `sip:<user>@127.0.0.1:<sipPort>` */
  uri(user: string, params?: string): string;
  /** Connects a new Srf app and resolves once it is authenticated; `setup` registers handlers first. */
  connectApp(setup?: (srf: SrfApp) => void): Promise<SrfApp>;
}

export interface EmbeddedServerOptions {
  sip?: Partial<Config['sip']>;
  logger?: Logger;
  dataDir?: string;
}

export const FAST_TIMERS = { t1Ms: 40, t2Ms: 320, t4Ms: 400 };

export function sipConfig(overrides: Partial<Config['sip']> = {}): Config['sip'] {
  return {
    enabled: true,
    host: '127.0.0.1',
    port: 0,
    domain: null,
    server: 'embedded',
    controlHost: '127.0.0.1',
    controlPort: 0,
    timers: FAST_TIMERS,
    maxMessageBytes: 65535,
    maxHeaders: 200,
    ...overrides,
  };
}

export async function startEmbeddedServer(t: Teardownable, opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hookflash-sip-'));
  if (!opts.dataDir) t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = createSipServer({ sip: sipConfig(opts.sip), publicHost: '127.0.0.1', dataDir, logger: opts.logger ?? silentLogger() });
  const { sipPort, controlPort, secret } = await server.start();
  t.teardown(() => server.stop());
  return {
    server,
    sipPort,
    controlPort,
    secret,
    dataDir,
    uri: (user, params = '') => `sip:${user}@127.0.0.1:${sipPort}${params}`,
    async connectApp(setup) {
      const srf: SrfApp = new Srf();
      setup?.(srf);
      const connected = new Promise<void>((resolve, reject) => {
        (srf as unknown as EventEmitter).once('connect', (err: Error | null) => (err ? reject(err) : resolve()));
      });
      srf.connect({ host: '127.0.0.1', port: controlPort, secret });
      t.teardown(() => {
        try {
          srf.disconnect();
        } catch {
          // already disconnected by the test itself
        }
      });
      await connected;
      // srf sends its `route` commands right after authenticating; let them land.
      await new Promise((resolve) => setTimeout(resolve, 30));
      return srf;
    },
  };
}

/** Resolves with the first emission of `event` (all arguments), rejecting after `ms`. */
export function once<T extends unknown[]>(emitter: unknown, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms);
    (emitter as EventEmitter).once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const SDP_A = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
export const SDP_B = SDP_A.replace('40000', '40002').replace('o=- 1 1', 'o=- 2 2');

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs /usr/bin/sipp once against `target` (host:port) and resolves when it exits.
 * Exit code 0 means every call in the scenario succeeded.
 */
export function runSipp(target: string, args: string[], timeoutMs = 15000): Promise<SippResult> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/sipp', [target, '-i', '127.0.0.1', '-m', '1', '-nostdin', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Sends one UDP datagram to the server and resolves with the first reply (or null on timeout). */
export function udpExchange(port: number, text: string, ms = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => { socket.close(); resolve(null); }, ms);
    socket.on('message', (msg) => {
      const reply = msg.toString('utf8');
      if (/^SIP\/2\.0 1\d\d/.test(reply)) return;   // wait for a final response
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      socket.send(text.replaceAll('{local}', String(local)), port, '127.0.0.1');
    });
  });
}

/** A scripted UDP SIP endpoint for wire-level cases SIPp's built-in scenarios don't cover. */
export interface UdpPeer {
  port: number;
  send(text: string): void;
  /** Next received message matching `pattern` (searched in arrival order, consumed). */
  next(pattern: RegExp, ms?: number): Promise<string>;
  close(): void;
}

/** `localPort`: bind this port (one from freePort) instead of a kernel-chosen one. */
export async function createUdpPeer(t: Teardownable, serverPort: number, localPort = 0): Promise<UdpPeer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(localPort, '127.0.0.1', () => { socket.off('error', reject); resolve(); });
  });
  const port = socket.address().port;
  const inbox: string[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (msg) => {
    inbox.push(msg.toString('utf8'));
    for (const w of waiters.splice(0)) w();
  });
  let closed = false;
  const close = () => { if (!closed) { closed = true; socket.close(); } };
  t.teardown(close);
  return {
    port,
    send: (text) => socket.send(text.replaceAll('{local}', String(port)), serverPort, '127.0.0.1'),
    next: (pattern, ms = 3000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message matching ${pattern}`)), ms);
      const check = () => {
        const index = inbox.findIndex((m) => pattern.test(m));
        if (index === -1) { waiters.push(check); return; }
        clearTimeout(timer);
        resolve(inbox.splice(index, 1)[0]!);
      };
      check();
    }),
    close,
  };
}

/** Builds a request for UdpPeer.send; `{local}` becomes the peer's port. */
export function udpRequest(method: string, uri: string, fields: { callId: string; cseq: number; branch: string;
  fromTag?: string; to?: string; extra?: string[]; body?: string }): string {
  const body = fields.body ?? '';
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:{local};branch=${fields.branch};rport`,
    `From: <sip:peer@127.0.0.1:{local}>;tag=${fields.fromTag ?? 'peer1'}`,
    `To: ${fields.to ?? `<${uri}>`}`,
    `Call-ID: ${fields.callId}`,
    `CSeq: ${fields.cseq} ${method}`,
    'Contact: <sip:peer@127.0.0.1:{local}>',
    'Max-Forwards: 70',
    ...(fields.extra ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The value of a header in raw SIP text. */
export function headerOf(text: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(text);
  return match?.[1]?.trim();
}

/** A bare control-protocol client (no srf) for checking frames token by token. */
export interface RawControlClient {
  frames: string[];
  send(payload: string): void;
  /** Resolves with the first frame (from `from` on) matching `pattern`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  close(): void;
}

export async function rawControlClient(t: Teardownable, port: number, secret: string): Promise<RawControlClient> {
  const { createFrameDecoder, encodeFrame } = await import('../../src/sip/control/framing.js');
  const socket = netConnect({ host: '127.0.0.1', port });
  const decoder = createFrameDecoder({ maxFrameBytes: 1 << 22 });
  const frames: string[] = [];
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    frames.push(...decoder.push(chunk).frames);
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => undefined);
  t.teardown(() => socket.destroy());
  const client: RawControlClient = {
    frames,
    send: (payload) => { socket.write(encodeFrame(payload)); },
    waitFor: (pattern, ms = 3000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no control frame matching ${pattern}`)), ms);
      const check = () => {
        const found = frames.find((f) => pattern.test(f));
        if (found === undefined) { waiters.push(check); return; }
        clearTimeout(timer);
        resolve(found);
      };
      check();
    }),
    close: () => socket.destroy(),
  };
  client.send(`auth|authenticate|${secret}|`);
  await client.waitFor(/\|response\|auth\|OK\|/);
  return client;
}

/** A promise with its resolve function, for handlers that report back to the test. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
