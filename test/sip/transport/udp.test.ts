import t from 'tap';
import { createServer } from 'node:net';
import { getHeader, parseVia } from '../../../src/sip/message/index.js';
import type { SipMessage } from '../../../src/sip/message/types.js';
import { responseDestination } from '../../../src/sip/transport/index.js';
import type { InboundInfo } from '../../../src/sip/transport/types.js';
import { portOf, requestText, responseText, startTransport, udpPeer } from './fixtures/wire.js';

function collect(transport: Awaited<ReturnType<typeof startTransport>>) {
  const got: Array<{ msg: SipMessage; info: InboundInfo }> = [];
  transport.onMessage((msg, info) => got.push({ msg, info }));
  return got;
}

async function until(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('UDP and TCP share one ephemeral port', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const list = transport.listeners();
  t.equal(list.length, 2);
  t.same(list.map((l) => l.protocol).sort(), ['tcp', 'udp']);
  t.equal(list[0]!.port, list[1]!.port);
  t.ok(list[0]!.port > 0);
});

t.test('several hosts (IPv4 and IPv6 loopback) on the same port', async (t) => {
  const transport = await startTransport({ host: undefined, hosts: ['127.0.0.1', '::1'] });
  t.teardown(() => transport.stop());
  const list = transport.listeners();
  t.equal(list.length, 4);
  t.equal(new Set(list.map((l) => l.port)).size, 1);
  t.same(list.map((l) => l.address).sort(), ['127.0.0.1', '127.0.0.1', '::1', '::1']);
});

t.test('a fixed port already taken by TCP makes start() reject and leaves nothing bound', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as { port: number }).port;
  await t.rejects(startTransport({ port }), { code: 'EADDRINUSE' });
});

for (const family of ['127.0.0.1', '::1']) {
  t.test(`UDP request over ${family}: delivered with info, received/rport stamped, answered at the source`, async (t) => {
    const transport = await startTransport({ host: family });
    t.teardown(() => transport.stop());
    const got = collect(transport);
    const peer = await udpPeer(family);
    t.teardown(() => peer.close());
    // The Via claims another host and port: received/rport must record the real source.
    peer.send(requestText({ viaHost: '192.0.2.7', viaPort: 5070, rport: true }), portOf(transport));
    await until(() => got.length === 1);
    const { msg, info } = got[0]!;
    t.equal(info.protocol, 'udp');
    t.same(info.source, { address: family, port: peer.port });
    t.same(info.local, { address: family, port: portOf(transport) });
    t.equal(info.connectionId, undefined);
    t.ok(info.raw.length > 100);
    const received = family.includes(':') ? `[${family}]` : family;
    t.match(getHeader(msg, 'Via')!, `;rport=${peer.port};received=${received}`);
    t.equal(info.topVia!.params.received, received);
    t.equal(info.topVia!.params.rport, String(peer.port));

    const res = responseText(msg, 200, 'OK', 'srv');
    const dest = responseDestination(info.topVia!, info);
    t.same({ a: dest.address, p: dest.port, proto: dest.protocol }, { a: family, p: peer.port, proto: 'udp' });
    await transport.send(Buffer.from(res), dest);
    const answer = await peer.inbox.next();
    t.equal(answer.msg.kind === 'response' && answer.msg.status, 200);
    t.equal(transport.stats().received, 1);
    t.equal(transport.stats().sent, 1);
  });
}

t.test('received is added only when the sent-by host differs; no rport filled without the bare parameter', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ viaHost: '127.0.0.1', viaPort: peer.port, branch: 'z9hG4bK-a' }), portOf(transport));
  peer.send(requestText({ viaHost: 'phone.example', viaPort: 5060, branch: 'z9hG4bK-b' }), portOf(transport));
  await until(() => got.length === 2);
  const first = parseVia(getHeader(got[0]!.msg, 'Via')!)!;
  t.notOk('received' in first.params);
  t.notOk('rport' in first.params);
  const second = parseVia(getHeader(got[1]!.msg, 'Via')!)!;
  t.equal(second.params.received, '127.0.0.1');
  t.notOk('rport' in second.params);
  // Without rport the response goes to received + the Via port (RFC 3261 §18.2.2).
  const dest = responseDestination(got[1]!.msg, got[1]!.info);
  t.same({ a: dest.address, p: dest.port }, { a: '127.0.0.1', p: 5060 });
});

t.test('only the top Via value is rewritten when one header line carries several', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const text = requestText({ viaHost: '10.0.0.1', rport: true })
    .replace(';rport\r\n', ';rport, SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-lower\r\n');
  peer.send(text, portOf(transport));
  await until(() => got.length === 1);
  const viaLine = getHeader(got[0]!.msg, 'Via')!;
  t.match(viaLine, /^SIP\/2\.0\/UDP 10\.0\.0\.1:5999;branch=z9hG4bK-test-1;rport=\d+;received=127\.0\.0\.1, SIP\/2\.0\/UDP 10\.0\.0\.2:5060;branch=z9hG4bK-lower$/);
});

t.test('malformed UDP request is answered 400 with the parser error, and not delivered', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const bad = requestText({ method: 'INVITE', viaPort: peer.port, extra: ['Contact: <sip:broken'] });
  peer.send(bad, portOf(transport));
  const answer = await peer.inbox.next();
  t.equal(answer.msg.kind, 'response');
  if (answer.msg.kind !== 'response') return;
  t.equal(answer.msg.status, 400);
  t.equal(getHeader(answer.msg, 'Call-ID'), 'call-1@test');
  t.match(getHeader(answer.msg, 'Warning')!, /^399 hookflash ".*Contact.*"$/);
  t.match(getHeader(answer.msg, 'To')!, /;tag=/);
  t.equal(got.length, 0);
  t.equal(transport.stats().parseErrors, 1);
  t.equal(transport.stats().badRequestsAnswered, 1);
});

t.test('garbage, malformed responses and malformed ACKs are dropped and counted, process keeps serving', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x42, 0x42]), portOf(transport));
  peer.send('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n', portOf(transport));
  peer.send(requestText({ method: 'ACK' }).replace('CSeq: 1 ACK', 'CSeq: x'), portOf(transport));
  peer.send('\r\n\r\n', portOf(transport));   // keep-alive, not an error
  peer.send(requestText({ branch: 'z9hG4bK-after' }), portOf(transport));
  await until(() => got.length === 1);
  const s = transport.stats();
  t.equal(s.parseErrors, 3);
  t.equal(s.dropped, 3);
  t.equal(s.keepalives, 1);
  t.equal(s.badRequestsAnswered, 0);
  t.equal(peer.inbox.pending, 0, 'nothing answered');
});

t.test('oversized datagram is a parse error answered 400', async (t) => {
  const transport = await startTransport({ limits: { maxMessageBytes: 600, maxHeaders: 64 } });
  t.teardown(() => transport.stop());
  collect(transport);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ viaPort: peer.port, body: 'x'.repeat(700), extra: ['Content-Type: text/plain'] }), portOf(transport));
  const answer = await peer.inbox.next();
  t.equal(answer.msg.kind === 'response' && answer.msg.status, 400);
  t.match(getHeader(answer.msg, 'Warning')!, /over the limit/);
});

t.test('send() rejects cleanly: no listener for the family, not started', async (t) => {
  const transport = await startTransport();
  t.teardown(() => transport.stop());
  await t.rejects(transport.send(Buffer.from('x'), { protocol: 'udp', address: '::1', port: 5060 }), /no UDP listener for IPv6/);
  const idle = (await import('../../../src/sip/transport/index.js')).createTransportLayer({
    host: '127.0.0.1', port: 0, limits: { maxMessageBytes: 1000, maxHeaders: 10 }, logger: (await import('../../../src/log.js')).silentLogger(),
  });
  await t.rejects(idle.send(Buffer.from('x'), { protocol: 'udp', address: '127.0.0.1', port: 5060 }), /not started/);
  t.equal(transport.stats().sendErrors, 1);
});

t.test('sentBy reports the listener address and port for the destination family', async (t) => {
  const transport = await startTransport({ host: undefined, hosts: ['127.0.0.1', '::1'] });
  t.teardown(() => transport.stop());
  const port = portOf(transport);
  t.same(transport.sentBy({ protocol: 'udp', address: '127.0.0.1' }), { host: '127.0.0.1', port });
  t.same(transport.sentBy({ protocol: 'tcp', address: '::1' }), { host: '::1', port });
  const wild = await startTransport({ host: '0.0.0.0', advertisedHost: 'pbx.example' });
  t.teardown(() => wild.stop());
  t.same(wild.sentBy({ protocol: 'udp', address: '127.0.0.1' }), { host: 'pbx.example', port: portOf(wild) });
});

t.test('wildcard listener receives loopback traffic and answers from it', async (t) => {
  const transport = await startTransport({ host: '0.0.0.0' });
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ rport: true }), portOf(transport));
  await until(() => got.length === 1);
  t.equal(got[0]!.info.local.address, '0.0.0.0');
  await transport.send(Buffer.from(responseText(got[0]!.msg, 200, 'OK')), responseDestination(got[0]!.msg, got[0]!.info));
  t.equal((await peer.inbox.next()).msg.kind, 'response');
});

t.test('dual-stack "::" listener serves IPv4 peers (mapped addresses normalised) and advertises per family', async (t) => {
  const transport = await startTransport({ host: '::' });
  t.teardown(() => transport.stop());
  const got = collect(transport);
  const peer = await udpPeer('127.0.0.1');
  t.teardown(() => peer.close());
  peer.send(requestText({ rport: true }), portOf(transport));
  await until(() => got.length === 1);
  t.same(got[0]!.info.source, { address: '127.0.0.1', port: peer.port });
  await transport.send(Buffer.from(responseText(got[0]!.msg, 200, 'OK')), responseDestination(got[0]!.msg, got[0]!.info));
  t.equal((await peer.inbox.next()).msg.kind, 'response');
  t.same(transport.sentBy({ protocol: 'udp', address: '127.0.0.1' }), { host: '127.0.0.1', port: portOf(transport) });
  t.same(transport.sentBy({ protocol: 'tcp', address: '::1' }), { host: '::1', port: portOf(transport) });
});
