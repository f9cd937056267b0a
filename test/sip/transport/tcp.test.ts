import t from 'tap';
import { createServer, type Socket } from 'node:net';
import { getHeader } from '../../../src/sip/message/index.js';
import type { SipMessage } from '../../../src/sip/message/types.js';
import { responseDestination } from '../../../src/sip/transport/index.js';
import type { InboundInfo, TransportLayer } from '../../../src/sip/transport/types.js';
import { portOf, requestText, responseText, sleep, splitStream, startTransport, tcpPeer } from './fixtures/wire.js';

function collect(transport: TransportLayer) {
  const got: Array<{ msg: SipMessage; info: InboundInfo }> = [];
  transport.onMessage((msg, info) => got.push({ msg, info }));
  return got;
}

async function until(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const tcpReq = (branch: string, extra: Partial<Parameters<typeof requestText>[0]> = {}) =>
  requestText({ branch, viaTransport: 'TCP', ...extra });

for (const host of ['127.0.0.1', '::1']) {
  t.test(`TCP over ${host}: byte-by-byte partial reads, then several messages in one write`, async (t) => {
    const transport = await startTransport({ host });
    t.teardown(() => transport.stop());
    const got = collect(transport);
    const peer = await tcpPeer(portOf(transport), host);
    t.teardown(() => peer.end());
    const one = Buffer.from(tcpReq('z9hG4bK-1', { body: 'hello', extra: ['Content-Type: text/plain'] }));
    for (let i = 0; i < one.length; i += 7) {
      peer.socket.write(one.subarray(i, i + 7));
      await sleep(1);
    }
    await until(() => got.length === 1);
    t.equal(got[0]!.msg.body.toString(), 'hello');
    t.equal(got[0]!.info.protocol, 'tcp');
    t.match(got[0]!.info.connectionId, /^tcp-/);
    t.same(got[0]!.info.source.address, host);
    t.equal(got[0]!.info.raw.toString(), one.toString());

    peer.socket.write(tcpReq('z9hG4bK-2') + tcpReq('z9hG4bK-3') + tcpReq('z9hG4bK-4').slice(0, 40));
    await until(() => got.length === 3);
    peer.socket.write(tcpReq('z9hG4bK-4').slice(40));
    await until(() => got.length === 4);
    t.same(got.map((g) => g.info.topVia!.params.branch), ['z9hG4bK-1', 'z9hG4bK-2', 'z9hG4bK-3', 'z9hG4bK-4']);
    t.equal(new Set(got.map((g) => g.info.connectionId)).size, 1);
    t.equal(transport.stats().openConnections, 1);
  });
}

t.test('CRLFCRLF keep-alive is answered with CRLF; a lone CRLF is not answered', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await tcpPeer(portOf(transport));
  t.teardown(() => peer.end());
  peer.socket.write('\r\n\r\n');
  await peer.waitFor((b) => b.length >= 2);
  t.equal(peer.received().toString(), '\r\n');
  peer.socket.write('\r\n' + tcpReq('z9hG4bK-ka'));   // a pong before a message: no answer
  await until(() => got.length === 1);
  t.equal(peer.received().toString(), '\r\n', 'only the CRLFCRLF ping got an answer');
  peer.socket.write('\r\n');   // a ping split across two reads is still a ping
  await sleep(20);
  peer.socket.write('\r\n');
  await peer.waitFor((b) => b.length >= 4);
  t.equal(peer.received().toString(), '\r\n\r\n');
  t.equal(transport.stats().keepalives, 3);
});

t.test('malformed request over TCP: 400 on the same connection, connection stays usable', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await tcpPeer(portOf(transport));
  t.teardown(() => peer.end());
  peer.socket.write(tcpReq('z9hG4bK-bad', { extra: ['Contact: <sip:broken'] }) + tcpReq('z9hG4bK-good'));
  const bytes = await peer.waitFor((b) => splitStream(b).length === 1);
  const res = splitStream(bytes)[0]!;
  t.equal(res.kind === 'response' && res.status, 400);
  t.match(getHeader(res, 'Via')!, /branch=z9hG4bK-bad/);
  await until(() => got.length === 1);
  t.equal(got[0]!.info.topVia!.params.branch, 'z9hG4bK-good');
  t.equal(transport.stats().badRequestsAnswered, 1);
});

t.test('framing error (no Content-Length on a stream) closes the connection', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  collect(transport);
  const peer = await tcpPeer(portOf(transport));
  peer.socket.write(tcpReq('z9hG4bK-x').replace(/Content-Length: 0\r\n/, ''));
  await peer.closed;
  await until(() => transport.stats().openConnections === 0);
  t.equal(transport.stats().parseErrors, 1);
});

t.test('a stream growing past the size limit without completing closes the connection', async (t) => {
  const transport = await startTransport({ limits: { maxMessageBytes: 1024, maxHeaders: 64 } });
  t.teardown(() => transport.stop());
  collect(transport);
  const peer = await tcpPeer(portOf(transport));
  peer.socket.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Filler: ' + 'a'.repeat(2000));
  await peer.closed;
  t.equal(transport.stats().parseErrors, 1);
});

t.test('responses reuse the inbound connection; send() reuses by address:port too', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await tcpPeer(portOf(transport));
  t.teardown(() => peer.end());
  peer.socket.write(tcpReq('z9hG4bK-r'));
  await until(() => got.length === 1);
  const { msg, info } = got[0]!;
  const dest = responseDestination(msg, info);
  t.equal(dest.connectionId, info.connectionId);
  await transport.send(Buffer.from(responseText(msg, 200, 'OK')), dest);
  await peer.waitFor((b) => splitStream(b).length === 1);
  // No connection id: the open connection to the peer's address:port is found and reused.
  await transport.send(Buffer.from(responseText(msg, 202, 'Accepted')),
    { protocol: 'tcp', address: info.source.address, port: info.source.port });
  const all = await peer.waitFor((b) => splitStream(b).length === 2);
  t.same(splitStream(all).map((m) => m.kind === 'response' && m.status), [200, 202]);
  t.equal(transport.stats().openConnections, 1);
});

t.test('outbound: one connection opened and reused; alias maps a contact to it; close forgets it', async (t) => {
  const accepted: Socket[] = [];
  let data = '';
  const remote = createServer((s) => { accepted.push(s); s.on('data', (d) => { data += d.toString(); }); });
  await new Promise<void>((r) => remote.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => remote.close(() => r())));
  const remotePort = (remote.address() as { port: number }).port;
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const closed: string[] = [];
  transport.onConnectionClosed((id) => closed.push(id));
  const dest = { protocol: 'tcp' as const, address: '127.0.0.1', port: remotePort };
  // Concurrent sends share a single connect attempt.
  await Promise.all([transport.send(Buffer.from('A'), dest), transport.send(Buffer.from('B'), dest)]);
  await transport.send(Buffer.from('C'), dest);
  await until(() => data.length === 3);
  t.equal(accepted.length, 1);
  t.same([...data].sort().join(''), 'ABC');
  t.equal(transport.stats().openConnections, 1);

  // Find the connection id through an inbound message on it.
  const got = collect(transport);
  accepted[0]!.write(tcpReq('z9hG4bK-out'));
  await until(() => got.length === 1);
  const id = got[0]!.info.connectionId!;
  transport.aliasConnection('bob@127.0.0.1', id);
  t.equal(transport.connectionFor('bob@127.0.0.1'), id);
  t.ok(transport.hasConnection(id));
  accepted[0]!.destroy();
  await until(() => closed.length === 1);
  t.same(closed, [id]);
  t.equal(transport.connectionFor('bob@127.0.0.1'), undefined);
  t.notOk(transport.hasConnection(id));
  t.equal(transport.stats().openConnections, 0);
});

t.test('outbound connect failure rejects send() with a clear error', async (t) => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const transport = await startTransport({ tcp: { connectTimeoutMs: 500 } });
  t.teardown(() => transport.stop());
  await t.rejects(transport.send(Buffer.from('x'), { protocol: 'tcp', address: '127.0.0.1', port: deadPort }),
    /tcp connect to 127\.0\.0\.1:\d+ failed/);
  t.equal(transport.stats().sendErrors, 1);
});

t.test('idle connections are closed after idleTimeoutMs', async (t) => {
  const transport = await startTransport({ tcp: { idleTimeoutMs: 100 } });
  t.teardown(() => transport.stop());
  const peer = await tcpPeer(portOf(transport));
  const started = Date.now();
  await peer.closed;
  t.ok(Date.now() - started >= 80, 'not closed early');
  await until(() => transport.stats().openConnections === 0);
});

t.test('connections beyond maxConnections are refused', async (t) => {
  const transport = await startTransport({ tcp: { maxConnections: 2 } });
  t.teardown(() => transport.stop());
  const a = await tcpPeer(portOf(transport));
  const b = await tcpPeer(portOf(transport));
  t.teardown(() => { a.end(); b.end(); });
  const c = await tcpPeer(portOf(transport));
  await c.closed;
  t.equal(transport.stats().openConnections, 2);
  t.equal(transport.stats().dropped, 1);
});

t.test('stop() closes every connection and listener', async (t) => {
  const transport = await startTransport();
  const port = portOf(transport);
  const peers = await Promise.all([tcpPeer(port), tcpPeer(port), tcpPeer(port)]);
  await until(() => transport.stats().openConnections === 3);
  await transport.stop();
  await Promise.all(peers.map((p) => p.closed));
  t.equal(transport.stats().openConnections, 0);
  await t.rejects(tcpPeer(port), { code: 'ECONNREFUSED' });
  await transport.stop();   // idempotent
});
