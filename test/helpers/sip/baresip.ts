/**
 * A headless baresip (Debian 1.0.0) driven over its ctrl_tcp port (netstring JSON).
 * Each instance gets its own config dir, SIP port (port+1 is taken by TLS, so ports are
 * checked in pairs), RTP range, sound dump dir and control port, and is always killed on
 * teardown. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortRange } from '../ports.js';
import { writeToneWav } from './wav.js';

export const BARESIP_BINARY = '/usr/bin/baresip';

export interface BaresipOptions {
  /** User part of the account AOR (default "user"). */
  user?: string;
  /** Register at this registrar ("127.0.0.1:port") with digest credentials. */
  register?: { registrar: string; password: string; regint?: number };
  /** Answer incoming calls by itself. */
  autoAnswer?: boolean;
  /** Tone sent as this instance's audio (Hz); each side can use its own to tell them apart. */
  toneHz?: number;
  /** Seconds of audio to send; keep it longer than the test because baresip hangs up at EOF. */
  audioSeconds?: number;
  /** Extra account parameters, e.g. ";outbound=sip:127.0.0.1:5060". */
  accountParams?: string;
  /** baresip -s (SIP trace into the captured output). */
  sipTrace?: boolean;
  teardown?: (fn: () => void | Promise<void>) => void;
}

export interface BaresipEvent {
  type: string;
  class?: string;
  peeruri?: string;
  param?: string;
  id?: string;
  [key: string]: unknown;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

export interface Baresip {
  user: string;
  sipPort: number;
  ctrlPort: number;
  /** Where this instance can be called directly: sip:user@127.0.0.1:port */
  uri: string;
  dir: string;
  events: BaresipEvent[];
  command(cmd: string, params?: string, timeoutMs?: number): Promise<BaresipResponse>;
  /** First event of this type not consumed yet (also past ones), within timeoutMs. */
  waitEvent(type: string, timeoutMs: number, predicate?: (e: BaresipEvent) => boolean): Promise<BaresipEvent>;
  dial(uri: string): Promise<BaresipResponse>;
  answer(): Promise<BaresipResponse>;
  hangup(): Promise<BaresipResponse>;
  transfer(uri: string): Promise<BaresipResponse>;
  /** sndfile dumps: received (…-dec.wav) and sent (…-enc.wav) audio. */
  recordedWavs(): { received: string[]; sent: string[] };
  /** Captured stdout+stderr (capped). */
  output(): string;
  stop(): Promise<void>;
}

/** SIP port whose UDP, TCP and TLS (port+1) sockets are all free right now. */
function freeSipPortPair(): Promise<number> {
  return freePort('udp+tcp', '127.0.0.1', 2);
}

/** A 40-port RTP range (kept apart from single ports, so it never meets the SIP port). */
async function rtpRange(): Promise<string> {
  const { min, max } = await freePortRange(40);
  return `${min}-${max}`;
}

function netstring(json: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

export async function startBaresip(opts: BaresipOptions = {}): Promise<Baresip> {
  const user = opts.user ?? 'user';
  const sipPort = await freeSipPortPair();
  const ctrlPort = await freePort('tcp');   // never sipPort or sipPort + 1: those are handed out already
  const dir = mkdtempSync(join(tmpdir(), `hookflash-baresip-${user}-`));
  const soundDir = join(dir, 'sound');
  mkdirSync(soundDir);
  const prompt = join(dir, 'prompt.wav');
  writeToneWav(prompt, opts.audioSeconds ?? 60, opts.toneHz ?? 440);

  writeFileSync(join(dir, 'config'), [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    // without it the SDP would advertise the host's external address
    'net_interface 127.0.0.1',
    'audio_player alsa,null',
    'audio_alert alsa,null',
    `audio_source aufile,${prompt}`,
    'audio_path /usr/share/baresip',
    `rtp_ports ${await rtpRange()}`,
    'module_path /usr/lib/baresip/modules',
    'module g711.so', 'module aufile.so', 'module alsa.so', 'module sndfile.so',
    'module_tmp uuid.so', 'module_tmp account.so',
    'module_app contact.so', 'module_app menu.so', 'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    `snd_path ${soundDir}`,
    '',
  ].join('\n'));
  const account = opts.register !== undefined
    ? `<sip:${user}@${opts.register.registrar}>;auth_pass=${opts.register.password};regint=${opts.register.regint ?? 60}`
    : `<sip:${user}@127.0.0.1:${sipPort}>;regint=0`;
  const answer = opts.autoAnswer === true ? ';answermode=auto' : ';answermode=manual';
  const accountLine = `${account}${answer}${opts.accountParams ?? ''}`;
  // A registering account is created over ctrl_tcp once we are connected (uanew below):
  // at start-up its REGISTER_OK would fire before anyone listens for events.
  writeFileSync(join(dir, 'accounts'), opts.register === undefined ? `${accountLine}\n` : '');
  writeFileSync(join(dir, 'contacts'), '');

  const args = ['-f', dir];
  if (opts.sipTrace === true) args.push('-s');
  const child: ChildProcess = spawn(BARESIP_BINARY, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => { if (output.length < 1 << 20) output += chunk.toString('utf8'); };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let alive = true;
  void exited.then(() => { alive = false; });

  const events: BaresipEvent[] = [];
  const consumed = new Set<BaresipEvent>();
  const pending = new Map<string, (r: BaresipResponse) => void>();
  const eventWaiters = new Set<() => void>();
  let socket: Socket | null = null;
  let tokenCounter = 0;

  const kill = async (): Promise<void> => {
    socket?.destroy();
    if (alive) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  opts.teardown?.(kill);

  // ctrl_tcp comes up a moment after start; retry the connection for a bounded time.
  let buffer = Buffer.alloc(0);
  for (let attempt = 0; attempt < 100 && socket === null && alive; attempt++) {
    socket = await new Promise<Socket | null>((resolve) => {
      const s = connect(ctrlPort, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', () => { s.destroy(); resolve(null); });
    });
    if (socket === null) await new Promise((r) => setTimeout(r, 50));
  }
  if (socket === null) {
    await kill();
    throw new Error(`baresip did not open its control port ${ctrlPort}; output:\n${output.slice(0, 3000)}`);
  }
  socket.on('error', () => { /* process exit closes it; waits time out on their own */ });
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    // netstrings: <len>:<json>,
    for (;;) {
      const colon = buffer.indexOf(0x3a);
      if (colon === -1) break;
      const length = Number(buffer.subarray(0, colon).toString('ascii'));
      if (!Number.isInteger(length) || buffer.length < colon + 1 + length + 1) break;
      const text = buffer.subarray(colon + 1, colon + 1 + length).toString('utf8');
      buffer = buffer.subarray(colon + 2 + length);
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (message['event'] === true) {
        events.push(message as BaresipEvent);
        for (const wake of [...eventWaiters]) wake();
      } else if (message['response'] === true) {
        const token = String(message['token'] ?? '');
        pending.get(token)?.({ ok: message['ok'] === true, data: String(message['data'] ?? '') });
        pending.delete(token);
      }
    }
  });

  const command = (cmd: string, params?: string, timeoutMs = 5000): Promise<BaresipResponse> => {
    const token = `t${++tokenCounter}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(token);
        reject(new Error(`baresip ${user}: no answer to "${cmd}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(token, (r) => { clearTimeout(timer); resolve(r); });
      socket!.write(netstring(params === undefined ? { command: cmd, token } : { command: cmd, params, token }));
    });
  };

  const waitEvent = (type: string, timeoutMs: number, predicate: (e: BaresipEvent) => boolean = () => true): Promise<BaresipEvent> => {
    const find = (): BaresipEvent | undefined => events.find((e) => e.type === type && !consumed.has(e) && predicate(e));
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = find();
        if (found === undefined) return false;
        consumed.add(found);
        eventWaiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        eventWaiters.delete(check);
        reject(new Error(`baresip ${user}: no ${type} event within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(', ') || 'none'}`));
      }, timeoutMs);
      if (!check()) eventWaiters.add(check);
    });
  };

  if (opts.register !== undefined) {
    const created = await command('uanew', accountLine).catch((error: Error) => ({ ok: false, data: error.message }));
    if (!created.ok) {
      await kill();
      throw new Error(`baresip ${user}: uanew failed: ${created.data}`);
    }
  }

  const listWavs = (suffix: string): string[] =>
    readdirSync(soundDir).filter((f) => f.endsWith(suffix)).sort().map((f) => join(soundDir, f));

  return {
    user, sipPort, ctrlPort, dir, events,
    uri: `sip:${user}@127.0.0.1:${sipPort}`,
    command,
    waitEvent,
    dial: (uri) => command('dial', uri),
    answer: () => command('accept'),
    hangup: () => command('hangup'),
    transfer: (uri) => command('transfer', uri),
    recordedWavs: () => ({ received: listWavs('-dec.wav'), sent: listWavs('-enc.wav') }),
    output: () => output,
    stop: kill,
  };
}
