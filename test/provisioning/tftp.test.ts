import t from 'tap';
import { createSocket, type Socket, type RemoteInfo } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { startProvisioningServers, seedOffice, SPA303_MAC } from '../helpers/provisioning.js';
import { runTftpHpa } from '../helpers/tftp-hpa.js';
import { parseProfile } from '../helpers/spa-device.js';
import { createTftpServer, explainBindError } from '../../src/provisioning/tftp-server.js';
import { silentLogger } from '../../src/log.js';

interface Reply { message: Buffer; rinfo: RemoteInfo }

/** Sends one datagram from a fresh socket and collects the first reply (or null after timeoutMs). */
function exchange(port: number, packet: Buffer, timeoutMs = 2000): Promise<{ reply: Reply | null; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => resolve({ reply: null, socket }), timeoutMs);
    socket.once('message', (message, rinfo) => {
      clearTimeout(timer);
      resolve({ reply: { message, rinfo }, socket });
    });
    socket.send(packet, port, '127.0.0.1');
  });
}

function rrq(file: string | Buffer, mode = 'octet'): Buffer {
  const name = typeof file === 'string' ? Buffer.from(file, 'latin1') : file;
  return Buffer.concat([Buffer.from([0, 1]), name, Buffer.from([0]), Buffer.from(mode), Buffer.from([0])]);
}

function tftpError(message: Buffer): { code: number; text: string } | null {
  if (message.readUInt16BE(0) !== 5) return null;
  return { code: message.readUInt16BE(2), text: message.toString('ascii', 4, message.indexOf(0, 4)) };
}

t.test('tftp-hpa fetches the bootstrap: same bytes as over HTTP, any case, with or without slash', async (t) => {
  const { tftpPort, baseUrl } = await startProvisioningServers(t);
  const dir = t.testdir();
  const viaHttp = Buffer.from(await (await fetch(`${baseUrl}/spa303.cfg`)).arrayBuffer());
  for (const [i, name] of ['spa303.cfg', '/spa303.cfg', 'SPA303.CFG'].entries()) {
    const local = join(dir, `boot${i}.cfg`);
    const run = await runTftpHpa({ port: tftpPort, command: ['get', name, local] });
    t.equal(run.output, '', `${name}: no error`);
    t.ok(readFileSync(local).equals(viaHttp), `${name}: same bytes as HTTP`);
  }
});

t.test('per-MAC profile over TFTP', async (t) => {
  const { tftpPort, stack } = await startProvisioningServers(t);
  seedOffice(stack.repos);
  const local = join(t.testdir(), 'mac.xml');
  const run = await runTftpHpa({ port: tftpPort, command: ['get', `/spa/${SPA303_MAC}.xml`, local] });
  t.equal(run.output, '');
  const profile = await parseProfile(readFileSync(local));
  t.equal(profile.params.User_ID_1_, '101');
  await stack.service.flush();
  t.match(stack.repos.sightings.latestForMac(SPA303_MAC), { transport: 'tftp', userAgent: null, file: `/spa/${SPA303_MAC}.xml` });
});

t.test('firmware over TFTP: tftp-hpa (512-byte blocks) and the tftp package client (blksize + windowsize)', async (t) => {
  const { tftpPort, stack } = await startProvisioningServers(t);
  const image = randomBytes(700_000);
  writeFileSync(join(stack.firmwareDir, 'spa50x-30x-7-6-2c.bin'), image);
  const local = join(t.testdir(), 'fw.bin');
  const run = await runTftpHpa({ port: tftpPort, command: ['get', 'firmware/spa50x-30x-7-6-2c.bin', local] });
  t.equal(run.output, '');
  t.ok(readFileSync(local).equals(image), 'tftp-hpa got the same bytes');

  const tftp = createRequire(import.meta.url)('tftp') as {
    createClient(o: object): { createGetStream(remote: string): NodeJS.ReadableStream };
  };
  const client = tftp.createClient({ host: '127.0.0.1', port: tftpPort, blockSize: 1468, windowSize: 4, timeout: 1000 });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    client.createGetStream('/firmware/spa50x-30x-7-6-2c.bin')
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve())
      .on('error', reject);
  });
  t.ok(Buffer.concat(chunks).equals(image), 'windowed transfer with options got the same bytes');
});

t.test('refusals are TFTP errors with a reason, never timeouts; nothing is written', async (t) => {
  const { tftpPort, stack } = await startProvisioningServers(t);
  const dir = t.testdir({ 'upload.cfg': 'evil' });
  const before = readdirSync(stack.dataDir).sort();

  const unknown = await runTftpHpa({ port: tftpPort, command: ['get', 'nothing-here.cfg', join(dir, 'x')], timeoutMs: 8000 });
  t.equal(unknown.output, 'Error code 1: File not found');

  const put = await runTftpHpa({ port: tftpPort, command: ['put', join(dir, 'upload.cfg'), 'spa303.cfg'], timeoutMs: 8000 });
  t.equal(put.output, 'Error code 2: Access violation: this server does not accept uploads');

  const netascii = await runTftpHpa({ port: tftpPort, mode: 'netascii', command: ['get', 'spa303.cfg', join(dir, 'y')], timeoutMs: 8000 });
  t.equal(netascii.output, 'Error code 0: Transfer mode "netascii" is not supported; use octet (binary) mode');

  const traversal: Array<[string, string]> = [
    ['../etc/passwd', 'Error code 2: Access violation: "." or ".." segment in file name (path traversal)'],
    ['/firmware/../../hookflash.sqlite', 'Error code 2: Access violation: "." or ".." segment in file name (path traversal)'],
    ['..\\..\\hookflash.sqlite', 'Error code 2: Access violation: backslash in file name (path traversal)'],
    ['%2e%2e/%2e%2e/etc/passwd', 'Error code 2: Access violation: percent-encoded character in file name'],
    ['/etc/passwd', 'Error code 1: File not found'],
  ];
  for (const [name, expected] of traversal) {
    const run = await runTftpHpa({ port: tftpPort, command: ['get', name, join(dir, 'z')], timeoutMs: 8000 });
    t.equal(run.output, expected, name);
    t.equal(run.timedOut, false);
  }
  t.same(readdirSync(stack.dataDir).sort(), before, 'no file appeared in the data dir');
  t.notOk(existsSync(join(stack.dataDir, 'spa303.cfg')));
});

t.test('malformed datagrams get an error reply and do not disturb the server', async (t) => {
  const { tftpPort } = await startProvisioningServers(t);
  const cases: Array<[string, Buffer, number]> = [
    ['one byte', Buffer.from([1]), 4],
    ['unknown opcode', Buffer.from([0, 9, 65, 0, 66, 0]), 4],
    ['DATA to the request port', Buffer.from([0, 3, 0, 1, 65, 66]), 4],
    ['RRQ without NUL terminators', Buffer.from([0, 1, 65, 66, 67]), 4],
    ['RRQ with a NUL inside the name', rrq(Buffer.from('spa303.cfg\u0000../../etc/passwd', 'latin1')), 0],
  ];
  for (const [what, packet, code] of cases) {
    const { reply, socket } = await exchange(tftpPort, packet);
    socket.close();
    t.ok(reply, `${what}: answered`);
    t.equal(reply && tftpError(reply.message)?.code, code, `${what}: error code ${code}`);
  }
  const { reply, socket } = await exchange(tftpPort, rrq('spa303.cfg'));
  t.equal(reply?.message.readUInt16BE(0), 3, 'still serves DATA afterwards');
  socket.close();
});

t.test('stray and truncated datagrams during a transfer are ignored; the transfer completes', async (t) => {
  const { tftpPort, stack } = await startProvisioningServers(t);
  const image = randomBytes(1500);
  writeFileSync(join(stack.firmwareDir, 'spa50x-30x-7-6-2c.bin'), image);
  const { reply, socket } = await exchange(tftpPort, rrq('firmware/spa50x-30x-7-6-2c.bin'));
  t.teardown(() => socket.close());
  t.ok(reply);
  const transferPort = reply!.rinfo.port;
  t.equal(reply!.message.readUInt16BE(0), 3);
  const received: Buffer[] = [reply!.message.subarray(4)];

  const stranger = createSocket('udp4');
  await new Promise<void>((r) => stranger.send(Buffer.from([0, 4, 0, 1]), transferPort, '127.0.0.1', () => r()));
  stranger.close();
  await new Promise<void>((r) => socket.send(Buffer.from([4]), transferPort, '127.0.0.1', () => r()));

  let block = 1;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('transfer stalled')), 5000);
    socket.on('message', (message) => {
      if (message.readUInt16BE(0) !== 3) return reject(new Error(`unexpected opcode ${message.readUInt16BE(0)}`));
      block = message.readUInt16BE(2);
      received.push(message.subarray(4));
      const ack = Buffer.from([0, 4, 0, 0]);
      ack.writeUInt16BE(block, 2);
      socket.send(ack, transferPort, '127.0.0.1');
      if (message.length - 4 < 512) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.send(Buffer.from([0, 4, 0, 1]), transferPort, '127.0.0.1');
  });
  t.equal(block, 3);
  t.ok(Buffer.concat(received).equals(image), 'all bytes arrived in order');
});

t.test('a retransmitted RRQ does not start a second transfer to the same client port', async (t) => {
  const { tftpPort } = await startProvisioningServers(t);
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  const senders = new Set<number>();
  socket.on('message', (message, rinfo) => {
    if (message.readUInt16BE(0) === 3) senders.add(rinfo.port);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const request = rrq('spa303.cfg');
  const firstData = new Promise<void>((resolve) => socket.once('message', () => resolve()));
  socket.send(request, tftpPort, '127.0.0.1');
  await firstData;
  // The client's retransmit timer fired just as DATA 1 arrived: the same RRQ again, twice.
  socket.send(request, tftpPort, '127.0.0.1');
  socket.send(request, tftpPort, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 700));
  t.equal(senders.size, 1, 'DATA comes from exactly one transfer');
});

t.test('allow-list and rate limit over TFTP', async (t) => {
  const restricted = await startProvisioningServers(t, { config: { provisioning: { allowCidrs: ['10.0.0.0/8'] } } });
  const dir = t.testdir();
  const denied = await runTftpHpa({ port: restricted.tftpPort, command: ['get', 'spa303.cfg', join(dir, 'a')], timeoutMs: 8000 });
  t.equal(denied.output, 'Error code 2: Access violation: client address is not in provisioning.allowCidrs');

  const limited = await startProvisioningServers(t, { config: { provisioning: { notFoundLimit: { max: 2, windowSeconds: 60, blockSeconds: 60 } } } });
  for (let i = 0; i < 2; i++) {
    const miss = await runTftpHpa({ port: limited.tftpPort, command: ['get', `missing${i}.cfg`, join(dir, 'b')], timeoutMs: 8000 });
    t.equal(miss.output, 'Error code 1: File not found');
  }
  const blocked = await runTftpHpa({ port: limited.tftpPort, command: ['get', 'spa303.cfg', join(dir, 'c')], timeoutMs: 8000 });
  t.equal(blocked.output, 'Error code 0: Too many failed requests from this address; retry in 60 s');
});

t.test('a port that cannot be bound: start() resolves ok:false with how to fix it', async (t) => {
  const holder = createSocket('udp4');
  await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => holder.close());
  const port = holder.address().port;
  const server = createTftpServer({ service: { handle: async () => ({ kind: 'not-found', reason: 'x' }) }, host: '127.0.0.1', port, logger: silentLogger() });
  const result = await server.start();
  t.match(result, { ok: false, code: 'EADDRINUSE', error: new RegExp(`UDP 127\\.0\\.0\\.1:${port} is already in use.*HOOKFLASH_TFTP_PORT`) });
  await server.stop();

  const eacces = Object.assign(new Error('bind EACCES 0.0.0.0:69'), { code: 'EACCES' });
  const advice = explainBindError(eacces, '0.0.0.0', 69);
  t.match(advice, /permission denied binding UDP 0\.0\.0\.0:69/);
  t.match(advice, /run as root/);
  t.match(advice, /setcap 'cap_net_bind_service=\+ep' \$\(which node\)/);
  t.match(advice, /HOOKFLASH_TFTP_PORT=1069/);
  t.notMatch(advice, /\n/, 'one line');

  const bad = createTftpServer({ service: { handle: async () => ({ kind: 'not-found', reason: 'x' }) }, host: 'not-an-ip', port: 0, logger: silentLogger() });
  t.match(await bad.start(), { ok: false, error: /cannot start TFTP on not-an-ip:0/ });
});
