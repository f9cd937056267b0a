/**
 * Outbound transactions are found by txnId and, for INVITEs, by (app, dialog id): an in-dialog
 * ACK/BYE looks at its own dialog's INVITEs only, however many other requests are in flight.
 */
import t from 'tap';
import { createOutboundTable } from '../../../src/sip/core/outbound-table.js';
import type { OutboundTxn } from '../../../src/sip/core/context.js';
import type { ClientTransaction } from '../../../src/sip/transaction/types.js';
import { createUdpPeer, headerOf, rawControlClient, SDP_A, startEmbeddedServer } from '../../helpers/srf.js';

function txn(txnId: string, method: string, appId: string, dialogId: string): OutboundTxn {
  return {
    txnId, appId, method, dialogId,
    clientTx: {} as ClientTransaction,
    request: { kind: 'request', method, uri: 'sip:x@127.0.0.1', headers: [], body: Buffer.alloc(0) },
    dest: { protocol: 'udp', address: '127.0.0.1', port: 5060 },
    dialog: null, finalStatus: null, sentAck: null, canceledByApp: false, cleanupTimer: null,
  };
}

t.test('a dialog finds its own INVITEs among 1,000 unrelated transactions, oldest first', async (t) => {
  const table = createOutboundTable();
  for (let i = 0; i < 1000; i++) {
    table.add(txn(`other-${i}`, i % 2 === 0 ? 'INVITE' : 'OPTIONS', i % 3 === 0 ? 'app-b' : 'app-a', i % 2 === 0 ? `call-${i};from-tag=x` : ''));
  }
  const initial = txn('mine-1', 'INVITE', 'app-a', 'mine;from-tag=1');
  const bye = txn('mine-2', 'BYE', 'app-a', 'mine;from-tag=1');
  const reInvite = txn('mine-3', 'INVITE', 'app-a', 'mine;from-tag=1');
  table.add(initial);
  table.add(bye);
  table.add(reInvite);
  // the same dialog id owned by another app (an app calling back into this server) is not ours
  table.add(txn('theirs', 'INVITE', 'app-b', 'mine;from-tag=1'));
  t.equal(table.size, 1004);
  t.same([...table.invitesInDialog('app-a', 'mine;from-tag=1')].map((x) => x.txnId), ['mine-1', 'mine-3'],
    'only this app\'s INVITEs of this dialog, in creation order');
  t.same([...table.invitesInDialog('app-b', 'mine;from-tag=1')].map((x) => x.txnId), ['theirs']);
  t.same([...table.invitesInDialog('app-a', 'nobody')], []);
  t.equal(table.get('mine-2'), bye, 'found by txnId');

  table.delete(initial);
  t.same([...table.invitesInDialog('app-a', 'mine;from-tag=1')].map((x) => x.txnId), ['mine-3']);
  t.equal(table.get('mine-1'), undefined);
  table.delete(initial);   // twice is harmless
  table.delete(reInvite);
  t.same([...table.invitesInDialog('app-a', 'mine;from-tag=1')], [], 'emptied dialog entry');
  t.equal(table.size, 1002);
  // a stale object under a reused txnId does not remove the live one
  const live = txn('other-0', 'INVITE', 'app-a', 'call-0;from-tag=x');
  table.add(live);
  table.delete(txn('other-0', 'INVITE', 'app-b', 'call-0;from-tag=x'));
  t.equal(table.get('other-0'), live);
  t.same([...table.invitesInDialog('app-b', 'call-0;from-tag=x')], [], 'the replaced transaction left its dialog');
  t.same([...table.invitesInDialog('app-a', 'call-0;from-tag=x')], [live]);
});

t.test('an in-dialog ACK finds its INVITE while 1,000 unrelated requests are in flight', async (t) => {
  // RFC timers: nothing in flight times out during the test.
  const sut = await startEmbeddedServer(t, { sip: { timers: { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 } } });
  const peer = await createUdpPeer(t, sut.sipPort);
  const silent = await createUdpPeer(t, sut.sipPort);   // never answers
  const c = await rawControlClient(t, sut.controlPort, sut.secret);

  for (let i = 0; i < 1000; i++) {
    const method = i % 4 === 0 ? 'INVITE' : 'OPTIONS';
    const body = method === 'INVITE' ? SDP_A : '';
    c.send(`n${i}|sip||\r\n${method} sip:x${i}@127.0.0.1:${silent.port} SIP/2.0\r\n${body ? 'Content-Type: application/sdp\r\n' : ''}\r\n${body}`);
  }
  await c.waitFor(/\|response\|n999\|OK\|/, 10_000);
  t.equal(sut.server.stats().core.outboundTransactions, 1000, '1,000 requests waiting for an answer');

  c.send(`i1|sip||\r\nINVITE sip:bob@127.0.0.1:${peer.port} SIP/2.0\r\nContent-Type: application/sdp\r\n\r\n${SDP_A}`);
  const sent = await c.waitFor(/\|response\|i1\|OK\|/);
  const txnId = sent.split('\r\n')[0]!.split('|')[10]!;
  const invite = await peer.next(/^INVITE sip:bob/);
  peer.send(['SIP/2.0 200 OK', `Via: ${headerOf(invite, 'Via')}`, `From: ${headerOf(invite, 'From')}`,
    `To: ${headerOf(invite, 'To')};tag=bob1`, `Call-ID: ${headerOf(invite, 'Call-ID')}`, `CSeq: ${headerOf(invite, 'CSeq')}`,
    `Contact: <sip:bob@127.0.0.1:${peer.port}>`, 'Content-Length: 0', '', ''].join('\r\n'));
  const ok = await c.waitFor(new RegExp(`\\|sip\\|network\\|.*\\|${txnId}\\|`));
  const dialogId = ok.split('\r\n')[0]!.split('|')[9]!;
  t.match(dialogId, /;from-tag=/, '200 OK carries the dialog id');

  c.send(`a1|sip||${dialogId}\r\nACK sip:placeholder SIP/2.0\r\n\r\n`);
  t.match(await c.waitFor(/\|response\|a1\|/), /\|response\|a1\|OK\|/, 'the ACK is accepted');
  const ack = await peer.next(/^ACK /);
  t.equal(headerOf(ack, 'CSeq'), `${headerOf(invite, 'CSeq')!.split(' ')[0]} ACK`, 'ACK carries its INVITE\'s CSeq number');
  t.equal(headerOf(ack, 'Call-ID'), headerOf(invite, 'Call-ID'));
  t.match(headerOf(ack, 'To'), /tag=bob1/);

  c.send(`a2|sip||${dialogId}\r\nACK sip:placeholder SIP/2.0\r\n\r\n`);
  t.match(await c.waitFor(/\|response\|a2\|/), /\|NOK\|/, 'a second ACK for the same 2xx is refused');
});
