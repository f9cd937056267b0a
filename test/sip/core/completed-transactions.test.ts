/**
 * A non-INVITE transaction is forgotten by the core as soon as its final response is out
 * (server side: only the response bytes stay, to answer retransmissions for Timer J; client
 * side: the client transaction alone absorbs retransmitted finals), yet retransmissions are
 * still absorbed and the app never sees a request or response twice.
 */
import t from 'tap';
import { createUdpPeer, delay, headerOf, rawControlClient, startEmbeddedServer, udpRequest } from '../../helpers/srf.js';

t.test('inbound OPTIONS: gone from the core at the final response, retransmission still answered', async (t) => {
  // T1 = 40 ms: Timer J = 64·T1 = 2.56 s
  const sut = await startEmbeddedServer(t);
  const peer = await createUdpPeer(t, sut.sipPort);
  const c = await rawControlClient(t, sut.controlPort, sut.secret);
  c.send('r1|route|options');
  await c.waitFor(/\|response\|r1\|OK/);

  const request = udpRequest('OPTIONS', sut.uri('svc'), { callId: 'done-1', cseq: 7, branch: 'z9hG4bKdone1' });
  peer.send(request);
  const frame = await c.waitFor(/\|sip\|network\|/);
  const txnId = frame.split('\r\n')[0]!.split('|')[8]!;
  t.equal(sut.server.stats().core.inboundTransactions, 1, 'tracked while the app decides');

  c.send(`a1|sip|${txnId}|\r\nSIP/2.0 200 OK\r\nX-Answer: first\r\nContent-Length: 0\r\n\r\n`);
  t.match(await c.waitFor(/\|response\|a1\|/), /\|response\|a1\|OK\|/);
  const first = await peer.next(/^SIP\/2\.0 200/);
  t.equal(headerOf(first, 'X-Answer'), 'first');
  const stats = sut.server.stats();
  t.equal(stats.core.inboundTransactions, 0, 'the core forgot it at the final response');
  t.equal(stats.transactions?.serverTransactions, 1, 'the completed transaction still absorbs retransmissions');

  peer.send(request);   // retransmission
  const again = await peer.next(/^SIP\/2\.0 200/);
  t.equal(again, first, 'the same response bytes again');
  await delay(100);
  t.equal(c.frames.filter((f) => /\|sip\|network\|/.test(f)).length, 1, 'the app saw the request once');
  t.ok((sut.server.stats().transactions?.absorbedRetransmissions ?? 0) >= 1, 'counted as absorbed');

  c.send(`a2|sip|${txnId}|\r\nSIP/2.0 202 Accepted\r\nContent-Length: 0\r\n\r\n`);
  t.match(await c.waitFor(/\|response\|a2\|/), /\|NOK\|/, 'a second final response is refused');

  // after Timer J nothing is left
  const deadline = Date.now() + 5000;
  while ((sut.server.stats().transactions?.serverTransactions ?? 0) > 0 && Date.now() < deadline) await delay(100);
  t.equal(sut.server.stats().transactions?.serverTransactions, 0, 'gone after Timer J');
});

t.test('outbound OPTIONS: gone from the core at the final response, retransmitted 200 absorbed', async (t) => {
  const sut = await startEmbeddedServer(t);
  const peer = await createUdpPeer(t, sut.sipPort);
  const c = await rawControlClient(t, sut.controlPort, sut.secret);
  c.send(`q1|sip||\r\nOPTIONS sip:bob@127.0.0.1:${peer.port} SIP/2.0\r\n\r\n`);
  const sent = await c.waitFor(/\|response\|q1\|OK\|/);
  const txnId = sent.split('\r\n')[0]!.split('|')[10]!;
  t.equal(sut.server.stats().core.outboundTransactions, 1);
  const options = await peer.next(/^OPTIONS /);
  const ok = ['SIP/2.0 200 OK', `Via: ${headerOf(options, 'Via')}`, `From: ${headerOf(options, 'From')}`,
    `To: ${headerOf(options, 'To')};tag=b`, `Call-ID: ${headerOf(options, 'Call-ID')}`, `CSeq: ${headerOf(options, 'CSeq')}`,
    'Content-Length: 0', '', ''].join('\r\n');
  peer.send(ok);
  await c.waitFor(new RegExp(`\\|sip\\|network\\|.*\\|${txnId}\\|`));
  t.equal(sut.server.stats().core.outboundTransactions, 0, 'the core forgot it at the final response');
  t.equal(sut.server.stats().transactions?.clientTransactions, 1, 'the client transaction waits out Timer K');

  peer.send(ok);   // retransmitted 200
  await delay(150);
  t.equal(c.frames.filter((f) => f.includes(`|${txnId}|`) && /\|sip\|network\|/.test(f)).length, 1,
    'the app saw the 200 once');
  t.equal(sut.server.stats().transactions?.strayResponses, 0, 'absorbed by the transaction, not stray');
});
