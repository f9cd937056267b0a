/**
 * onTerminated returns a function taking the callback back. A completed non-INVITE server
 * transaction whose watcher left before the final response is held only as response bytes
 * (its callback never runs), yet still answers retransmissions until Timer J.
 */
import t from 'tap';
import { createResponse } from '../../../src/sip/message/index.js';
import type { SipRequest } from '../../../src/sip/message/types.js';
import type { RequestContext, TerminationReason } from '../../../src/sip/transaction/types.js';
import { requestText, sleep, udpPeer } from '../transport/fixtures/wire.js';
import { startStack, until } from './fixtures/stack.js';

t.test('a watcher taken back before the final response is never called; retransmissions still answered', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const got: Array<{ req: SipRequest; ctx: RequestContext }> = [];
  stack.layer.onRequest((req, ctx) => got.push({ req, ctx }));
  const udp = await udpPeer();
  t.teardown(() => udp.close());

  const released = requestText({ method: 'REGISTER', viaPort: udp.port, branch: 'z9hG4bK-rel-1', callId: 'rel-1' });
  const watched = requestText({ method: 'REGISTER', viaPort: udp.port, branch: 'z9hG4bK-rel-2', callId: 'rel-2' });
  udp.send(released, stack.port);
  udp.send(watched, stack.port);
  await until(() => got.length === 2);
  const [first, second] = [got.find((g) => g.req.headers.some((h) => h.value === 'rel-1'))!, got.find((g) => g.req.headers.some((h) => h.value === 'rel-2'))!];
  const releasedCalls: TerminationReason[] = [];
  const watchedCalls: TerminationReason[] = [];
  const takeBack = first.ctx.serverTx!.onTerminated((r) => releasedCalls.push(r));
  second.ctx.serverTx!.onTerminated((r) => watchedCalls.push(r));
  takeBack();
  first.ctx.serverTx!.respond(createResponse(first.req, 200, 'OK', { toTag: 'r1' }));
  second.ctx.serverTx!.respond(createResponse(second.req, 200, 'OK', { toTag: 'r2' }));
  const answers = [await udp.inbox.next(), await udp.inbox.next()];
  t.same(answers.map((a) => a.msg.kind === 'response' && a.msg.status).sort(), [200, 200]);

  udp.send(released, stack.port);   // retransmission of the released one
  const again = await udp.inbox.next();
  t.match(again.raw.toString(), /Call-ID: rel-1/, 'the released transaction still answers');
  t.equal(got.length, 2, 'the retransmission did not reach the core');
  t.equal(stack.layer.stats().serverTransactions, 2, 'both held (as completed entries)');

  await until(() => stack.layer.stats().serverTransactions === 0);   // Timer J (64·T1 = 1.28 s)
  await sleep(20);
  t.same(releasedCalls, [], 'the taken-back callback never ran');
  t.same(watchedCalls, ['completed'], 'the kept callback ran at Timer J');
});

t.test('taking back a client transaction watcher works too', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const udp = await udpPeer();
  t.teardown(() => udp.close());
  const tx = stack.layer.sendRequest({
    kind: 'request', method: 'OPTIONS', uri: `sip:x@127.0.0.1:${udp.port}`, body: Buffer.alloc(0),
    headers: [{ name: 'From', value: '<sip:a@127.0.0.1>;tag=1' }, { name: 'To', value: '<sip:x@127.0.0.1>' },
      { name: 'Call-ID', value: 'cl-1' }, { name: 'CSeq', value: '1 OPTIONS' }],
  }, { protocol: 'udp', address: '127.0.0.1', port: udp.port }, { onResponse() {}, onTimeout() {}, onTransportError() {} });
  t.ok(tx.requestBytes && tx.requestBytes.toString().startsWith('OPTIONS sip:x@'), 'the bytes as sent are exposed');
  const calls: TerminationReason[] = [];
  const takeBack = tx.onTerminated((r) => calls.push(r));
  takeBack();
  await until(() => stack.layer.stats().clientTransactions === 0);   // Timer F
  t.same(calls, []);
});
