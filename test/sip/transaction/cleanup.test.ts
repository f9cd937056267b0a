/** After stop(), no timer, socket or server of ours is left: transactions in every state included. */
import t from 'tap';
import { createResponse } from '../../../src/sip/message/index.js';
import type { SipRequest } from '../../../src/sip/message/types.js';
import { responseDestination } from '../../../src/sip/transport/index.js';
import type { RequestContext } from '../../../src/sip/transaction/types.js';
import { requestText, sleep, tcpPeer, udpPeer } from '../transport/fixtures/wire.js';
import { startStack, until } from './fixtures/stack.js';

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

t.test('stop() leaves no timers, sockets or servers behind', async (t) => {
  await sleep(50);
  const baseline = resourceCounts();
  const stack = await startStack();
  const got: Array<{ req: SipRequest; ctx: RequestContext }> = [];
  stack.layer.onRequest((req, ctx) => got.push({ req, ctx }));
  const udp = await udpPeer();
  const tcp = await tcpPeer(stack.port);

  // completed non-INVITE (completed cache), INVITE with 2xx being retransmitted, INVITE
  // ringing, INVITE completed with 486 (Timer G/H), a pending client INVITE, a TCP connection.
  udp.send(requestText({ method: 'OPTIONS', viaPort: udp.port, branch: 'z9hG4bK-c1' }), stack.port);
  udp.send(requestText({ method: 'INVITE', viaPort: udp.port, branch: 'z9hG4bK-c2', callId: 'c2' }), stack.port);
  udp.send(requestText({ method: 'INVITE', viaPort: udp.port, branch: 'z9hG4bK-c3', callId: 'c3' }), stack.port);
  udp.send(requestText({ method: 'INVITE', viaPort: udp.port, branch: 'z9hG4bK-c4', callId: 'c4' }), stack.port);
  await until(() => got.length === 4);
  const byBranch = (b: string) => got.find((g) => g.ctx.info.topVia!.params.branch === b)!;
  const options = byBranch('z9hG4bK-c1');
  options.ctx.serverTx!.respond(createResponse(options.req, 200, 'OK', { toTag: 'a' }));
  const answered = byBranch('z9hG4bK-c2');
  const ok = createResponse(answered.req, 200, 'OK', { toTag: 'b' });
  answered.ctx.serverTx!.respond(ok);
  stack.layer.retransmit2xxUntilAck(ok, responseDestination(ok, answered.ctx.info), { onAckTimeout: () => {} });
  byBranch('z9hG4bK-c3').ctx.serverTx!.respond(createResponse(byBranch('z9hG4bK-c3').req, 180, 'Ringing', { toTag: 'c' }));
  byBranch('z9hG4bK-c4').ctx.serverTx!.respond(createResponse(byBranch('z9hG4bK-c4').req, 486, 'Busy Here', { toTag: 'd' }));
  stack.layer.sendRequest({
    kind: 'request', method: 'INVITE', uri: `sip:x@127.0.0.1:${udp.port}`, body: Buffer.alloc(0),
    headers: [{ name: 'From', value: '<sip:a@127.0.0.1>;tag=1' }, { name: 'To', value: '<sip:x@127.0.0.1>' },
      { name: 'Call-ID', value: 'out' }, { name: 'CSeq', value: '1 INVITE' }],
  }, { protocol: 'udp', address: '127.0.0.1', port: udp.port }, { onResponse() {}, onTimeout() {}, onTransportError() {} });
  await until(() => stack.transport.stats().openConnections === 1);
  const stats = stack.layer.stats();
  t.equal(stats.serverTransactions, 4);
  t.equal(stats.clientTransactions, 1);
  t.equal(stats.pending2xx, 1);

  await udp.close();
  tcp.end();
  await stack.stop();
  await tcp.closed;
  await sleep(20);
  const after = stack.layer.stats();
  t.same([after.serverTransactions, after.clientTransactions, after.pending2xx], [0, 0, 0]);
  t.equal(stack.transport.stats().openConnections, 0);
  t.same(resourceCounts(), baseline, 'same active resources as before the stack started');
});
