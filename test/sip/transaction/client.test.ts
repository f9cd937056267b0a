import t from 'tap';
import { createServer } from 'node:net';
import { getHeader, getHeaderValues, parseVia } from '../../../src/sip/message/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/types.js';
import type { ClientTransactionHandlers, TerminationReason } from '../../../src/sip/transaction/types.js';
import type { InboundInfo } from '../../../src/sip/transport/types.js';
import { responseText, sleep, splitStream, tcpPeer, udpPeer } from '../transport/fixtures/wire.js';
import { startStack, until } from './fixtures/stack.js';

function outgoing(method: string, uri: string, extra: Array<[string, string]> = []): SipRequest {
  return {
    kind: 'request', method, uri,
    headers: [
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: '<sip:pbx@127.0.0.1>;tag=pbx1' },
      { name: 'To', value: `<${uri}>` },
      { name: 'Call-ID', value: `cid-${method}-${Math.random().toString(16).slice(2)}` },
      { name: 'CSeq', value: `5 ${method}` },
      ...extra.map(([name, value]) => ({ name, value })),
    ],
    body: Buffer.alloc(0),
  };
}

function recorder() {
  const responses: Array<{ res: SipResponse; info: InboundInfo }> = [];
  const events: string[] = [];
  const handlers: ClientTransactionHandlers = {
    onResponse: (res, info) => { responses.push({ res, info }); events.push(`response ${res.status}`); },
    onTimeout: () => events.push('timeout'),
    onTransportError: (err) => events.push(`transport-error ${err.message}`),
  };
  return { responses, events, handlers };
}

const isReq = (m: SipMessage, method: string) => m.kind === 'request' && m.method === method;

t.test('non-INVITE over UDP: our Via, Timer E retransmissions capped at T2, Timer F timeout', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const r = recorder();
  const started = Date.now();
  const tx = stack.layer.sendRequest(outgoing('OPTIONS', `sip:peer@127.0.0.1:${peer.port}`),
    { protocol: 'udp', address: '127.0.0.1', port: peer.port }, r.handlers);
  t.equal(tx.state, 'trying');
  const first = await peer.inbox.next();
  const via = parseVia(getHeaderValues(first.msg, 'Via')[0]!)!;
  t.same({ transport: via.transport, host: via.host, port: via.port }, { transport: 'UDP', host: '127.0.0.1', port: stack.port });
  t.equal(via.params.branch, tx.branch);
  t.match(tx.branch, /^z9hG4bK/);
  t.ok('rport' in via.params);
  const reason = await new Promise<TerminationReason>((resolve) => tx.onTerminated(resolve));
  t.equal(reason, 'timeout');
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 1250 && elapsed < 2000, `Timer F after ${elapsed} ms`);
  t.same(r.events, ['timeout']);
  const copies = 1 + (await peer.inbox.drainFor(10)).length;
  // 0, 20, 60, 140, then every 80 ms up to 1280: 18 sends (jitter tolerated)
  t.ok(copies >= 10 && copies <= 19, `OPTIONS sent ${copies} times`);
  t.equal(stack.layer.stats().clientTransactions, 0);
});

t.test('non-INVITE in Proceeding retransmits every T2 until the final response', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const r = recorder();
  stack.layer.sendRequest(outgoing('MESSAGE', `sip:peer@127.0.0.1:${peer.port}`),
    { protocol: 'udp', address: '127.0.0.1', port: peer.port }, r.handlers);
  const first = await peer.inbox.next();
  peer.send(responseText(first.msg, 100, 'Trying'), stack.port);
  await until(() => r.responses.length === 1);
  await peer.inbox.drainFor(30);   // anything already in flight
  const copies = (await peer.inbox.drainFor(400)).length;
  t.ok(copies >= 3 && copies <= 6, `about 5 retransmissions at T2 = 80 ms in 400 ms, got ${copies}`);
  peer.send(responseText(first.msg, 200, 'OK', 'm'), stack.port);
  await until(() => r.responses.length === 2);
  await peer.inbox.drainFor(30);
  t.equal((await peer.inbox.drainFor(200)).length, 0, 'final response stops Timer E');
  t.same(r.events, ['response 100', 'response 200']);
});

t.test('INVITE over UDP: Timer A doubles without cap; Timer B timeout', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const r = recorder();
  const tx = stack.layer.sendRequest(outgoing('INVITE', `sip:x@127.0.0.1:${peer.port}`),
    { protocol: 'udp', address: '127.0.0.1', port: peer.port }, r.handlers);
  await new Promise((resolve) => tx.onTerminated(resolve));
  t.same(r.events, ['timeout']);
  const copies = (await peer.inbox.drainFor(10)).length;
  // sends at 0, 20, 60, 140, 300, 620, 1260 ms
  t.ok(copies >= 5 && copies <= 7, `INVITE sent ${copies} times`);
  t.equal(stack.layer.stats().clientTransactions, 0);
});

t.test('INVITE: provisional stops retransmission; non-2xx ACKed by the layer (To tag, Route, branch)', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const r = recorder();
  const invite = outgoing('INVITE', `sip:x@127.0.0.1:${peer.port}`,
    [['Route', '<sip:proxy1@127.0.0.1;lr>'], ['Route', '<sip:proxy2@127.0.0.1;lr>'], ['Contact', '<sip:pbx@127.0.0.1>']]);
  const tx = stack.layer.sendRequest(invite, { protocol: 'udp', address: '127.0.0.1', port: peer.port }, r.handlers);
  const got = await peer.inbox.next();
  peer.send(responseText(got.msg, 180, 'Ringing', 'uas9'), stack.port);
  await until(() => r.responses.length === 1);
  t.equal(tx.state, 'proceeding');
  await peer.inbox.drainFor(10);
  t.equal((await peer.inbox.drainFor(120)).length, 0, 'no retransmission in Proceeding');
  peer.send(responseText(got.msg, 486, 'Busy Here', 'uas9'), stack.port);
  const ack = (await peer.inbox.next()).msg as SipRequest;
  t.equal(ack.method, 'ACK');
  t.equal(ack.uri, invite.uri);
  t.equal(parseVia(getHeader(ack, 'Via')!)!.params.branch, tx.branch, 'same branch as the INVITE');
  t.equal(getHeaderValues(ack, 'Via').length, 1);
  t.match(getHeader(ack, 'To')!, /;tag=uas9$/);
  t.equal(getHeader(ack, 'From'), '<sip:pbx@127.0.0.1>;tag=pbx1');
  t.equal(getHeader(ack, 'CSeq'), '5 ACK');
  t.equal(getHeader(ack, 'Call-ID'), getHeader(invite, 'Call-ID'));
  t.same(getHeaderValues(ack, 'Route'), ['<sip:proxy1@127.0.0.1;lr>', '<sip:proxy2@127.0.0.1;lr>']);
  t.notOk(getHeader(ack, 'Contact'));
  t.equal(tx.state, 'completed');
  // A retransmitted 486 is absorbed: the ACK goes out again, the core hears nothing.
  peer.send(responseText(got.msg, 486, 'Busy Here', 'uas9'), stack.port);
  t.ok(isReq((await peer.inbox.next()).msg, 'ACK'));
  t.same(r.events, ['response 180', 'response 486']);
  await until(() => stack.layer.stats().clientTransactions === 0, 5000);   // Timer D = 64*T1 here
});

t.test('INVITE 2xx: passed up, retransmitted 2xx passed up too, no ACK from the layer; sendStateless ACK', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const r = recorder();
  const dest = { protocol: 'udp' as const, address: '127.0.0.1', port: peer.port };
  const tx = stack.layer.sendRequest(outgoing('INVITE', `sip:x@127.0.0.1:${peer.port}`), dest, r.handlers);
  const got = await peer.inbox.next();
  peer.send(responseText(got.msg, 200, 'OK', 'ok1'), stack.port);
  peer.send(responseText(got.msg, 200, 'OK', 'ok1'), stack.port);
  await until(() => r.responses.length === 2);
  t.equal(tx.state, 'accepted');
  await sleep(30);
  // On a loaded machine Timer A may have retransmitted the INVITE before the 200 got in: those
  // are fine; an ACK is not.
  const early: boolean[] = [];
  while (peer.inbox.pending > 0) {
    const msg = (await peer.inbox.next()).msg;
    t.notOk(isReq(msg, 'ACK'), 'the layer does not ACK a 2xx');
    early.push(isReq(msg, 'INVITE'));
  }
  t.ok(early.every(Boolean), `only INVITE retransmissions went out before the 2xx (${early.length})`);
  const ack: SipRequest = { kind: 'request', method: 'ACK', uri: `sip:x@127.0.0.1:${peer.port}`, body: Buffer.alloc(0),
    headers: [{ name: 'From', value: getHeader(got.msg, 'From')! }, { name: 'To', value: `${getHeader(got.msg, 'To')!};tag=ok1` },
      { name: 'CSeq', value: '5 ACK' }, { name: 'Call-ID', value: getHeader(got.msg, 'Call-ID')! }] };
  const sent = await stack.layer.sendStateless(ack, dest);
  const wireAck = (await peer.inbox.next()).msg;
  t.ok(isReq(wireAck, 'ACK'));
  const ackBranch = parseVia(getHeader(wireAck, 'Via')!)!.params.branch;
  t.not(ackBranch, tx.branch, 'ACK for 2xx has its own branch');
  t.equal(getHeader(sent, 'Via'), getHeader(wireAck, 'Via'));
  await until(() => stack.layer.stats().clientTransactions === 0, 5000);   // Timer M
  t.same(r.events, ['response 200', 'response 200']);
});

t.test('CANCEL waits for a provisional, then goes out with the INVITE branch; 487 is ACKed', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const inv = recorder();
  const can = recorder();
  const invite = outgoing('INVITE', `sip:x@127.0.0.1:${peer.port}`, [['Route', '<sip:p@127.0.0.1;lr>']]);
  const tx = stack.layer.sendRequest(invite, { protocol: 'udp', address: '127.0.0.1', port: peer.port }, inv.handlers);
  const got = await peer.inbox.next();
  const cancelTx = stack.layer.cancel(tx, [{ name: 'Reason', value: 'SIP;cause=487;text="caller hung up"' }], can.handlers)!;
  t.equal(cancelTx.state, 'pending');
  t.equal(stack.layer.cancel(tx), cancelTx, 'cancelling twice returns the same CANCEL');
  const early = await peer.inbox.drainFor(50);
  t.ok(early.every((m) => isReq(m.msg, 'INVITE')), 'no CANCEL before a provisional (only INVITE retransmissions)');
  peer.send(responseText(got.msg, 100, 'Trying'), stack.port);
  // An INVITE retransmission may already be on its way; skip those.
  const cancel = (await peer.inbox.nextWhere((m) => !isReq(m.msg, 'INVITE'))).msg as SipRequest;
  t.equal(cancel.method, 'CANCEL');
  t.equal(cancel.uri, invite.uri);
  t.equal(getHeader(cancel, 'Via'), getHeader(got.msg, 'Via'));
  t.equal(getHeader(cancel, 'CSeq'), '5 CANCEL');
  t.equal(getHeader(cancel, 'To'), getHeader(invite, 'To'));
  t.equal(getHeader(cancel, 'From'), getHeader(invite, 'From'));
  t.equal(getHeader(cancel, 'Route'), '<sip:p@127.0.0.1;lr>');
  t.equal(getHeader(cancel, 'Reason'), 'SIP;cause=487;text="caller hung up"');
  t.equal(cancelTx.state, 'trying');
  peer.send(responseText(cancel, 200, 'OK', 'u1'), stack.port);
  peer.send(responseText(got.msg, 487, 'Request Terminated', 'u1'), stack.port);
  await until(() => can.responses.length === 1 && inv.responses.length === 2);
  t.ok(isReq((await peer.inbox.nextWhere((m) => !isReq(m.msg, 'CANCEL'))).msg, 'ACK'), '487 ACKed by the layer');
  t.same(inv.events, ['response 100', 'response 487']);
  t.same(can.events, ['response 200']);
  await until(() => stack.layer.stats().clientTransactions === 0, 5000);
});

t.test('a queued CANCEL is dropped when the INVITE ends first; cancel() after a final returns null', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const tx = stack.layer.sendRequest(outgoing('INVITE', `sip:x@127.0.0.1:${peer.port}`),
    { protocol: 'udp', address: '127.0.0.1', port: peer.port }, recorder().handlers);
  const got = await peer.inbox.next();
  const cancelTx = stack.layer.cancel(tx)!;
  const reason = new Promise<TerminationReason>((resolve) => cancelTx.onTerminated(resolve));
  peer.send(responseText(got.msg, 603, 'Decline', 'd'), stack.port);
  t.equal(await reason, 'cancelled');
  t.equal(stack.layer.cancel(tx), null);
  const later = await peer.inbox.drainFor(60);
  t.notOk(later.some((m) => isReq(m.msg, 'CANCEL')));
  const options = stack.layer.sendRequest(outgoing('OPTIONS', `sip:x@127.0.0.1:${peer.port}`),
    { protocol: 'udp', address: '127.0.0.1', port: peer.port }, recorder().handlers);
  t.equal(stack.layer.cancel(options), null, 'only INVITEs can be cancelled');
});

t.test('over TCP: no retransmissions, response on the same connection, Timer K = 0', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  let peerSocket: import('node:net').Socket | null = null;
  let data = Buffer.alloc(0);
  const server = createServer((s) => { peerSocket = s; s.on('data', (d) => { data = Buffer.concat([data, d]); }); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  t.teardown(() => new Promise<void>((res) => { peerSocket?.destroy(); server.close(() => res()); }));
  const port = (server.address() as { port: number }).port;
  const r = recorder();
  const tx = stack.layer.sendRequest(outgoing('MESSAGE', `sip:x@127.0.0.1:${port};transport=tcp`),
    { protocol: 'tcp', address: '127.0.0.1', port }, r.handlers);
  await until(() => splitStream(data).length === 1);
  const req = splitStream(data)[0]!;
  t.match(getHeader(req, 'Via')!, new RegExp(`^SIP/2.0/TCP 127.0.0.1:${stack.port};branch=${tx.branch};rport$`));
  await sleep(100);
  t.equal(splitStream(data).length, 1, 'no retransmission over TCP');
  peerSocket!.write(responseText(req, 200, 'OK', 'm'));
  await until(() => r.responses.length === 1);
  t.equal(r.responses[0]!.info.protocol, 'tcp');
  t.equal(stack.layer.stats().clientTransactions, 0);
});

t.test('transport failure (TCP connect refused) reaches onTransportError', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const probe = createServer();
  await new Promise<void>((res) => probe.listen(0, '127.0.0.1', () => res()));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((res) => probe.close(() => res()));
  const r = recorder();
  const tx = stack.layer.sendRequest(outgoing('INVITE', `sip:x@127.0.0.1:${deadPort}`),
    { protocol: 'tcp', address: '127.0.0.1', port: deadPort }, r.handlers);
  t.equal(await new Promise<TerminationReason>((resolve) => tx.onTerminated(resolve)), 'transport-error');
  t.equal(r.events.length, 1);
  t.match(r.events[0], /^transport-error tcp connect/);
  t.equal(stack.layer.stats().clientTransactions, 0);
});

t.test('invalid use throws clear errors; responses matching nothing are stray', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const dest = { protocol: 'udp' as const, address: '127.0.0.1', port: 9 };
  t.throws(() => stack.layer.sendRequest(outgoing('ACK', 'sip:x@127.0.0.1'), dest, recorder().handlers), /sendStateless/);
  const noCseq = outgoing('OPTIONS', 'sip:x@127.0.0.1');
  noCseq.headers = noCseq.headers.filter((h) => h.name !== 'CSeq');
  t.throws(() => stack.layer.sendRequest(noCseq, dest, recorder().handlers), /no valid CSeq/);
  t.throws(() => stack.layer.sendRequest(outgoing('OPTIONS', 'sip:x@127.0.0.1'), dest, recorder().handlers, { branch: 'abc' }), /magic cookie/);
  const stray: SipResponse[] = [];
  stack.layer.onStrayResponse((res) => stray.push(res));
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${stack.port};branch=z9hG4bK-nobody\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`, stack.port);
  await until(() => stray.length === 1);
  t.equal(stack.layer.stats().strayResponses, 1);
});

t.test('IPv6: client transaction over ::1 with a bracketed Via', async (t) => {
  const stack = await startStack('::1');
  t.teardown(() => stack.stop());
  const peer = await udpPeer('::1');
  t.teardown(() => peer.close());
  const r = recorder();
  stack.layer.sendRequest(outgoing('OPTIONS', `sip:x@[::1]:${peer.port}`), { protocol: 'udp', address: '::1', port: peer.port }, r.handlers);
  const got = await peer.inbox.next();
  t.match(getHeader(got.msg, 'Via')!, `SIP/2.0/UDP [::1]:${stack.port};branch=`);
  peer.send(responseText(got.msg, 200, 'OK', 'six'), stack.port);
  await until(() => r.responses.length === 1);
  t.same(r.events, ['response 200']);
});
