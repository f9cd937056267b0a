import t from 'tap';
import net from 'node:net';
import Srf from 'drachtio-srf';
import { createControlServer } from '../../../src/sip/control/control-server.js';
import { encodeFrame, createFrameDecoder } from '../../../src/sip/control/framing.js';
import type { AppConnection, AppSipCommand } from '../../../src/sip/control/types.js';
import { silentLogger } from '../../../src/log.js';

const SECRET = 'test-secret-1234';

type TapTest = { teardown(fn: () => unknown): void };

async function startControl(t: TapTest, onSip?: (app: AppConnection, cmd: AppSipCommand) => void) {
  const gone: AppConnection[] = [];
  const control = createControlServer({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    hostports: () => 'udp/192.0.2.1:5060,tcp/192.0.2.1:5060',
    localHostports: () => 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060',
    logger: silentLogger(),
    handlers: { onSipCommand: onSip ?? (() => undefined), onAppGone: (app) => gone.push(app) },
  });
  const { port } = await control.start();
  t.teardown(() => control.stop());
  return { control, port, gone };
}

/** A raw client: sends frames and collects decoded reply payloads. */
function rawClient(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  const decoder = createFrameDecoder({ maxFrameBytes: 1 << 20 });
  const frames: string[] = [];
  const waiters: Array<() => void> = [];
  let closed = false;
  socket.on('data', (chunk) => {
    frames.push(...decoder.push(chunk).frames);
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('close', () => { closed = true; waiters.splice(0).forEach((w) => w()); });
  socket.on('error', () => undefined);
  const until = (cond: () => boolean) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting')), 3000);
    const check = () => { if (cond()) { clearTimeout(timer); resolve(); } else waiters.push(check); };
    check();
  });
  return {
    socket,
    frames,
    isClosed: () => closed,
    send: (payload: string) => socket.write(encodeFrame(payload)),
    writeRaw: (bytes: string) => socket.write(bytes),
    until,
  };
}

function waitConnect(srf: Srf): Promise<{ err: Error | null; hostport?: string; version?: string; local?: string }> {
  return new Promise((resolve) => {
    const emitter = srf as unknown as NodeJS.EventEmitter;
    emitter.on('connect', (err: Error | null, hostport: string, version: string, local: string) =>
      resolve({ err, hostport, version, local }));
    emitter.on('error', (err: Error) => resolve({ err }));
  });
}

t.test('drachtio-srf connects with the right secret and learns the hostports', async (t) => {
  const { port } = await startControl(t);
  const srf = new Srf();
  const connected = waitConnect(srf);
  srf.connect({ host: '127.0.0.1', port, secret: SECRET });
  const result = await connected;
  srf.disconnect();
  t.equal(result.err, null);
  t.equal(result.hostport, 'udp/192.0.2.1:5060,tcp/192.0.2.1:5060');
  t.match(result.version, /^v0\.8\.\d+/);
  t.equal(result.local, 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060');
});

t.test('drachtio-srf with a wrong secret gets a connect error', async (t) => {
  const { port } = await startControl(t);
  const srf = new Srf();
  const connected = waitConnect(srf);
  srf.connect({ host: '127.0.0.1', port, secret: 'wrong', reconnect: { maxAttempts: 1 } } as never);
  const result = await connected;
  srf.disconnect();
  t.ok(result.err instanceof Error, 'connect reports an error');
});

t.test('a wrong secret gets NO|incorrect secret and the socket is closed', async (t) => {
  const { port } = await startControl(t);
  const c = rawClient(port);
  c.send('m1|authenticate|nope|');
  await c.until(() => c.isClosed());
  t.equal(c.frames.length, 1);
  t.match(c.frames[0], /^[^|]+\|response\|m1\|NO\|incorrect secret$/);
});

t.test('commands before authenticate are refused and close the connection', async (t) => {
  const { port } = await startControl(t);
  const c = rawClient(port);
  c.send('m1|route|invite');
  await c.until(() => c.isClosed());
  t.match(c.frames[0], /\|response\|m1\|NO\|/);
});

t.test('garbage and oversized prefixes get NO and a closed socket, server survives', async (t) => {
  const { port } = await startControl(t);
  const garbage = rawClient(port);
  garbage.writeRaw('hello there\r\n');
  await garbage.until(() => garbage.isClosed());
  t.match(garbage.frames[0], /\|response\|\|NO\|/);

  const huge = rawClient(port);
  huge.writeRaw('999999999#');
  await huge.until(() => huge.isClosed());
  t.match(huge.frames[0], /NO\|frame length prefix is too long/);

  const good = rawClient(port);
  good.send(`a|authenticate|${SECRET}|`);
  await good.until(() => good.frames.length === 1);
  t.match(good.frames[0], /\|response\|a\|OK\|/);
  good.socket.destroy();
});

t.test('authenticate, route, ping and remove_route over a raw socket', async (t) => {
  const { control, port, gone } = await startControl(t);
  const c = rawClient(port);
  // Two frames in one write, then a frame split in two writes.
  c.writeRaw(Buffer.concat([encodeFrame(`a|authenticate|${SECRET}|tag1`), encodeFrame('b|route|invite')]).toString('utf8'));
  const ping = encodeFrame('c|ping');
  c.socket.write(ping.subarray(0, 3));
  await new Promise((r) => setTimeout(r, 20));
  c.socket.write(ping.subarray(3));
  await c.until(() => c.frames.length === 3);
  const [auth, route, pong] = c.frames.map((f) => f.split('|'));
  t.same(auth!.slice(1), ['response', 'a', 'OK', 'udp/192.0.2.1:5060,tcp/192.0.2.1:5060',
    auth![5], 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060']);
  t.same(route!.slice(1), ['response', 'b', 'OK']);
  t.same(pong!.slice(1), ['response', 'c', 'OK', 'pong']);
  t.ok(control.pickApp('invite'), 'the app is routable for invite');
  t.equal(control.pickApp('register'), null);

  c.send('d|route|register');
  c.send('e|remove_route|invite');
  await c.until(() => c.frames.length === 5);
  t.equal(control.pickApp('invite'), null, 'invite removed');
  t.ok(control.pickApp('register'), 'register kept');
  c.socket.end();
  await c.until(() => gone.length === 1);
  t.equal(control.pickApp('register'), null, 'gone apps are not picked');
});

t.test('sip commands reach the handler with their tokens', async (t) => {
  const commands: AppSipCommand[] = [];
  const { port } = await startControl(t, (_app, cmd) => commands.push(cmd));
  const c = rawClient(port);
  c.send(`a|authenticate|${SECRET}|`);
  c.send('b|sip|||sip:10.0.0.1:5070\r\nOPTIONS sip:x@h SIP/2.0\r\n\r\n');
  c.send('c|sip|txn-1|\r\nCANCEL sip:x@h SIP/2.0\r\n\r\n');
  c.send('d|sip');
  await c.until(() => c.isClosed());
  t.same(commands, [
    { msgId: 'b', txnId: '', dialogId: '', routeUrl: 'sip:10.0.0.1:5070', sipText: 'OPTIONS sip:x@h SIP/2.0\r\n\r\n' },
    { msgId: 'c', txnId: 'txn-1', dialogId: '', routeUrl: '', sipText: 'CANCEL sip:x@h SIP/2.0\r\n\r\n' },
  ]);
  t.match(c.frames.at(-1), /\|response\|d\|NO\|sip command without a SIP message/);
});

t.test('round-robin among apps that routed a verb', async (t) => {
  const { control, port } = await startControl(t);
  const apps = [new Srf(), new Srf()];
  await Promise.all(apps.map((srf) => {
    const connected = waitConnect(srf);
    srf.invite(() => undefined);
    srf.connect({ host: '127.0.0.1', port, secret: SECRET });
    return connected;
  }));
  // srf sends route right after authentication; give it a moment to land.
  await new Promise((r) => setTimeout(r, 50));
  const picks = [1, 2, 3, 4].map(() => control.pickApp('invite')?.id);
  t.ok(picks[0] && picks[1], 'both apps routable');
  t.not(picks[0], picks[1]);
  t.equal(picks[0], picks[2]);
  t.equal(picks[1], picks[3]);
  apps.forEach((srf) => srf.disconnect());
});
