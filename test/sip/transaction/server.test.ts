import t from 'tap';
import { createResponse, getHeader } from '../../../src/sip/message/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.js';
import { responseDestination } from '../../../src/sip/transport/index.js';
import type { RequestContext, TerminationReason } from '../../../src/sip/transaction/types.js';
import { requestText, sleep, splitStream, tcpPeer, udpPeer } from '../transport/fixtures/wire.js';
import { startStack, until } from './fixtures/stack.js';

function record(layer: Awaited<ReturnType<typeof startStack>>['layer']) {
  const got: Array<{ req: SipRequest; ctx: RequestContext }> = [];
  layer.onRequest((req, ctx) => got.push({ req, ctx }));
  return got;
}

const statusOf = (m: { msg: { kind: string } }) => (m.msg as SipResponse).status;

t.test('non-INVITE over UDP: retransmissions absorbed, last response re-sent, state returns to zero after Timer J', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const text = requestText({ method: 'OPTIONS', viaPort: peer.port, rport: true });
  peer.send(text, stack.port);
  await until(() => got.length === 1);
  peer.send(text, stack.port);   // retransmission while the core thinks: absorbed, nothing sent
  await sleep(30);
  t.equal(got.length, 1);
  t.equal(peer.inbox.pending, 0);
  const tx = got[0]!.ctx.serverTx!;
  t.equal(tx.state, 'trying');
  const reasons: string[] = [];
  tx.onTerminated((r) => reasons.push(r));
  tx.respond(createResponse(got[0]!.req, 200, 'OK', { toTag: 'uas' }));
  t.equal(tx.state, 'completed');
  tx.onTerminated((r) => reasons.push(`late ${r}`));   // registered after the hand-off to the completed cache
  t.equal(statusOf(await peer.inbox.next()), 200);
  peer.send(text, stack.port);
  t.equal(statusOf(await peer.inbox.next()), 200, 'retransmitted request gets the stored final response');
  t.equal(got.length, 1, 'retransmission never reaches the core');
  t.equal(stack.layer.stats().serverTransactions, 1);
  t.equal(stack.layer.stats().absorbedRetransmissions, 2);
  await until(() => stack.layer.stats().serverTransactions === 0, 5000);
  t.same(reasons, ['completed', 'late completed']);
  tx.respond(createResponse(got[0]!.req, 500));   // ignored, no throw
  await sleep(30);
  t.equal(peer.inbox.pending, 0);
});

t.test('non-INVITE over TCP ends right after the final response (Timer J = 0)', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await tcpPeer(stack.port);
  t.teardown(() => peer.end());
  peer.socket.write(requestText({ method: 'REGISTER', viaTransport: 'TCP' }));
  await until(() => got.length === 1);
  got[0]!.ctx.serverTx!.respond(createResponse(got[0]!.req, 200, 'OK', { toTag: 't' }));
  t.equal(stack.layer.stats().serverTransactions, 0);
  const bytes = await peer.waitFor((b) => splitStream(b).length === 1);
  t.equal((splitStream(bytes)[0] as SipResponse).status, 200);
});

t.test('INVITE: 100 Trying at once, non-2xx retransmitted (Timer G) until the ACK, ACK absorbed, then zero', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const invite = requestText({ method: 'INVITE', viaPort: peer.port, rport: true, branch: 'z9hG4bK-inv1' });
  peer.send(invite, stack.port);
  const trying = await peer.inbox.next();
  t.equal(statusOf(trying), 100);
  t.notMatch(getHeader(trying.msg, 'To')!, /tag=/, '100 carries no To tag');
  await until(() => got.length === 1);
  const tx = got[0]!.ctx.serverTx!;
  peer.send(invite, stack.port);
  t.equal(statusOf(await peer.inbox.next()), 100, 'retransmitted INVITE gets the 100 again');
  tx.respond(createResponse(got[0]!.req, 486, 'Busy Here', { toTag: 'busy' }));
  t.equal(tx.state, 'completed');
  const copies = await peer.inbox.drainFor(200);   // sends at 0, 20, 60, 140 ms (T1 doubling)
  t.ok(copies.length >= 2 && copies.length <= 5, `486 sent ${copies.length} times in 200 ms`);
  t.ok(copies.every((c) => statusOf(c) === 486));
  const ack = requestText({ method: 'ACK', viaPort: peer.port, branch: 'z9hG4bK-inv1', toTag: 'busy' });
  peer.send(ack, stack.port);
  await until(() => tx.state === 'confirmed');
  await peer.inbox.drainFor(20);
  const after = await peer.inbox.drainFor(150);
  t.equal(after.length, 0, 'no retransmission after the ACK');
  peer.send(ack, stack.port);   // retransmitted ACK: absorbed too
  t.equal(got.length, 1, 'neither ACK reached the core');
  await until(() => stack.layer.stats().serverTransactions === 0);
  t.equal(tx.state, 'terminated');
});

t.test('INVITE non-2xx without ACK: Timer H ends it with ack-timeout; retransmissions capped at T2', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ method: 'INVITE', viaPort: peer.port, rport: true }), stack.port);
  await until(() => got.length === 1);
  await peer.inbox.next();   // 100
  const tx = got[0]!.ctx.serverTx!;
  const reason = new Promise<TerminationReason>((resolve) => tx.onTerminated(resolve));
  const started = Date.now();
  tx.respond(createResponse(got[0]!.req, 603, 'Decline', { toTag: 'd' }));
  t.equal(await reason, 'ack-timeout');
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 1250 && elapsed < 2000, `Timer H after ${elapsed} ms`);
  const copies = await peer.inbox.drainFor(20);
  // 0, 20, 60, 140 then every 80 ms until 1280: 1 + 3 + 14 = 18 (timer jitter tolerated)
  t.ok(copies.length >= 10 && copies.length <= 19, `603 sent ${copies.length} times`);
  t.equal(stack.layer.stats().serverTransactions, 0);
});

t.test('INVITE 2xx: transaction accepted, core retransmits 2xx until the ACK, which is delivered up', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const invite = requestText({ method: 'INVITE', viaPort: peer.port, rport: true, callId: 'ok-call', cseq: 7 });
  peer.send(invite, stack.port);
  await until(() => got.length === 1);
  await peer.inbox.next();
  const { req, ctx } = got[0]!;
  const ok = createResponse(req, 200, 'OK', { toTag: 'ok' });
  ctx.serverTx!.respond(ok);
  t.equal(ctx.serverTx!.state, 'accepted');
  let timedOut = false;
  stack.layer.retransmit2xxUntilAck(ok, responseDestination(ok, ctx.info), { onAckTimeout: () => { timedOut = true; } });
  t.equal(stack.layer.stats().pending2xx, 1);
  const copies = await peer.inbox.drainFor(170);   // first + retransmissions at 20, 60, 140
  t.ok(copies.length >= 2 && copies.length <= 5, `200 seen ${copies.length} times`);
  peer.send(invite, stack.port);   // retransmitted INVITE in Accepted: absorbed silently
  peer.send(requestText({ method: 'ACK', viaPort: peer.port, branch: 'z9hG4bK-ack2xx', callId: 'ok-call', cseq: 7, toTag: 'ok' }), stack.port);
  await until(() => got.length === 2);
  t.equal(got[1]!.req.method, 'ACK');
  t.equal(got[1]!.ctx.serverTx, undefined, 'ACK for 2xx is transaction-less');
  t.equal(stack.layer.stats().pending2xx, 0, 'the ACK stopped the retransmissions');
  await peer.inbox.drainFor(20);
  t.equal((await peer.inbox.drainFor(150)).length, 0);
  t.equal(stack.layer.ackReceived('ok-call', 7), false);
  await until(() => stack.layer.stats().serverTransactions === 0, 5000);
  t.notOk(timedOut);
});

t.test('2xx without ACK: onAckTimeout after 64*T1; stop() and restart by key', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ method: 'INVITE', viaPort: peer.port, rport: true, callId: 'noack' }), stack.port);
  await until(() => got.length === 1);
  await peer.inbox.next();
  const ok = createResponse(got[0]!.req, 200, 'OK', { toTag: 'x' });
  const dest = responseDestination(ok, got[0]!.ctx.info);
  got[0]!.ctx.serverTx!.respond(ok);
  const started = Date.now();
  const fired = new Promise<number>((resolve) => {
    stack.layer.retransmit2xxUntilAck(ok, dest, { onAckTimeout: () => resolve(Date.now() - started) });
  });
  const elapsed = await fired;
  t.ok(elapsed >= 1250 && elapsed < 2000, `ack timeout after ${elapsed} ms`);
  t.equal(stack.layer.stats().pending2xx, 0);
  const copies = await peer.inbox.drainFor(10);
  t.ok(copies.length >= 10 && copies.length <= 20, `1 + ~17 copies of the 200, got ${copies.length}`);
  // stop() ends it silently
  let fired2 = false;
  const handle = stack.layer.retransmit2xxUntilAck(ok, dest, { onAckTimeout: () => { fired2 = true; } });
  handle.stop();
  await sleep(60);
  t.equal(peer.inbox.pending, 0);
  t.equal(stack.layer.stats().pending2xx, 0);
  t.notOk(fired2);
});

t.test('CANCEL gets its own server transaction and names the INVITE it targets; ACK for 487 absorbed', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ method: 'INVITE', viaPort: peer.port, branch: 'z9hG4bK-c1' }), stack.port);
  await until(() => got.length === 1);
  await peer.inbox.next();
  peer.send(requestText({ method: 'CANCEL', viaPort: peer.port, branch: 'z9hG4bK-c1' }), stack.port);
  await until(() => got.length === 2);
  const inviteTx = got[0]!.ctx.serverTx!;
  const cancel = got[1]!;
  t.equal(cancel.req.method, 'CANCEL');
  t.equal(cancel.ctx.cancelTarget, inviteTx);
  t.not(cancel.ctx.serverTx, inviteTx);
  cancel.ctx.serverTx!.respond(createResponse(cancel.req, 200, 'OK', { toTag: 'c' }));
  inviteTx.respond(createResponse(got[0]!.req, 487, 'Request Terminated', { toTag: 'c' }));
  const statuses = [statusOf(await peer.inbox.next()), statusOf(await peer.inbox.next())];
  t.same(statuses.sort(), [200, 487]);
  peer.send(requestText({ method: 'ACK', viaPort: peer.port, branch: 'z9hG4bK-c1', toTag: 'c' }), stack.port);
  await until(() => inviteTx.state === 'confirmed' || inviteTx.state === 'terminated');
  // A CANCEL matching nothing still reaches the core (to answer 481), without a target.
  peer.send(requestText({ method: 'CANCEL', viaPort: peer.port, branch: 'z9hG4bK-none' }), stack.port);
  await until(() => got.length === 3);
  t.equal(got[2]!.ctx.cancelTarget, undefined);
  got[2]!.ctx.serverTx!.respond(createResponse(got[2]!.req, 481));
  t.equal(got.length, 3);
  await until(() => stack.layer.stats().serverTransactions === 0, 5000);
});

t.test('a request the core never answers is dropped after pendingRequestTimeoutMs', async (t) => {
  const stack = await startStack('127.0.0.1', { pendingRequestTimeoutMs: 100 });
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  peer.send(requestText({ method: 'MESSAGE', viaPort: peer.port }), stack.port);
  await until(() => got.length === 1);
  const reason = await new Promise<TerminationReason>((resolve) => got[0]!.ctx.serverTx!.onTerminated(resolve));
  t.equal(reason, 'timeout');
  t.equal(stack.layer.stats().serverTransactions, 0);
  t.equal(peer.inbox.pending, 0, 'nothing sent (drachtio behaviour)');
});

t.test('over IPv6: INVITE answered, retransmitted, matched', async (t) => {
  const stack = await startStack('::1');
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer('::1');
  t.teardown(() => peer.close());
  peer.send(requestText({ method: 'INVITE', viaHost: '::1', viaPort: peer.port, rport: true }), stack.port);
  t.equal(statusOf(await peer.inbox.next()), 100);
  await until(() => got.length === 1);
  got[0]!.ctx.serverTx!.respond(createResponse(got[0]!.req, 180, 'Ringing', { toTag: 'v6' }));
  t.equal(statusOf(await peer.inbox.next()), 180);
  t.equal(got[0]!.ctx.serverTx!.state, 'proceeding');
  stack.layer.stop();
  t.equal(got[0]!.ctx.serverTx!.state, 'terminated');
  t.equal(stack.layer.stats().serverTransactions, 0);
});

t.test('INVITE over TCP: no Timer G, ACK ends the transaction at once (Timer I = 0)', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await tcpPeer(stack.port);
  t.teardown(() => peer.end());
  peer.socket.write(requestText({ method: 'INVITE', viaTransport: 'TCP', branch: 'z9hG4bK-tcpinv' }));
  await until(() => got.length === 1);
  const tx = got[0]!.ctx.serverTx!;
  tx.respond(createResponse(got[0]!.req, 480, 'Temporarily Unavailable', { toTag: 'tcp' }));
  await peer.waitFor((b) => splitStream(b).length === 2);
  await sleep(100);
  t.same(splitStream(peer.received()).map((m) => (m as SipResponse).status), [100, 480], 'no retransmission over TCP');
  peer.socket.write(requestText({ method: 'ACK', viaTransport: 'TCP', branch: 'z9hG4bK-tcpinv', toTag: 'tcp' }));
  await until(() => tx.state === 'terminated');
  t.equal(got.length, 1, 'ACK absorbed');
  t.equal(stack.layer.stats().serverTransactions, 0);
});

t.test('RFC 2543 requests (no magic cookie) are still matched for retransmissions', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got = record(stack.layer);
  const peer = await udpPeer();
  t.teardown(() => peer.close());
  const text = requestText({ method: 'OPTIONS', viaPort: peer.port, branch: 'old-style-1' });
  peer.send(text, stack.port);
  await until(() => got.length === 1);
  got[0]!.ctx.serverTx!.respond(createResponse(got[0]!.req, 200, 'OK', { toTag: 'o' }));
  t.equal(statusOf(await peer.inbox.next()), 200);
  peer.send(text, stack.port);
  t.equal(statusOf(await peer.inbox.next()), 200);
  peer.send(requestText({ method: 'OPTIONS', viaPort: peer.port, branch: 'old-style-1', cseq: 2 }), stack.port);
  await until(() => got.length === 2);
  t.equal(got.length, 2, 'a new CSeq is a new transaction');
});
