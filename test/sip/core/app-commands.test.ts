/**
 * `sip` commands at the frame level: failures get NOK with a reason, and for an app
 * request the `response|OK` (with txnId) precedes the forwarded response (rule §4.9.1).
 */
import t from 'tap';
import { createUdpPeer, headerOf, rawControlClient, startEmbeddedServer } from '../../helpers/srf.js';

t.test('bad commands get NOK with a reason and the connection stays usable', async (t) => {
  const sut = await startEmbeddedServer(t);
  const c = await rawControlClient(t, sut.controlPort, sut.secret);
  c.send('r1|sip|no-such-txn|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
  t.match(await c.waitFor(/\|response\|r1\|/), /\|NOK\|Response not sent due to unknown transaction$/);
  c.send('r2|sip||no-such-dialog\r\nINFO sip:placeholder SIP/2.0\r\n\r\n');
  t.match(await c.waitFor(/\|response\|r2\|/), /\|NOK\|unable to find dialog for dialog id provided$/);
  c.send('r3|sip||\r\nGARBAGE\r\n\r\n');
  t.match(await c.waitFor(/\|response\|r3\|/), /\|NOK\|malformed SIP message/);
  c.send(`r4|sip||\r\nMESSAGE sip:a@127.0.0.1:${sut.sipPort} SIP/2.0\r\n\r\nhello`);
  t.match(await c.waitFor(/\|response\|r4\|/), /\|NOK\|missing content-type$/);
  c.send('r5|sip||\r\nOPTIONS sips:a@127.0.0.1 SIP/2.0\r\n\r\n');
  t.match(await c.waitFor(/\|response\|r5\|/), /\|NOK\|requested protocol\/transport not available$/);
  c.send('r6|sip|no-such-invite|\r\nCANCEL sip:a@127.0.0.1 SIP/2.0\r\n\r\n');
  t.match(await c.waitFor(/\|response\|r6\|/), /\|NOK\|unknown transaction$/);
  c.send('r7|ping');
  t.match(await c.waitFor(/\|response\|r7\|/), /\|OK\|pong$/);
});

t.test('app request: OK with txnId and the wire text, then the response on that txnId', async (t) => {
  const sut = await startEmbeddedServer(t);
  const peer = await createUdpPeer(t, sut.sipPort);
  const c = await rawControlClient(t, sut.controlPort, sut.secret);
  c.send(`q1|sip||\r\nOPTIONS sip:bob@127.0.0.1:${peer.port} SIP/2.0\r\nFrom: <sip:alice@localhost>\r\nX-Test: 1\r\nContent-Length: 999\r\n\r\n`);
  const ok = await c.waitFor(/\|response\|q1\|/);
  const [leader, ...sip] = ok.split('\r\n');
  const tokens = leader!.split('|');
  t.equal(tokens[3], 'OK');
  t.equal(tokens[4], 'application');
  t.equal(tokens[6], 'udp');
  t.equal(tokens[7], '127.0.0.1');
  t.equal(tokens[8], String(peer.port));
  const txnId = tokens[10]!;
  t.ok(txnId.length > 0, 'txnId at position 10');
  const sent = sip.join('\r\n');
  t.match(headerOf(sent, 'From'), new RegExp(`<sip:alice@127\\.0\\.0\\.1:${sut.sipPort}>;tag=\\w+`), 'localhost rewritten, tag added');
  t.match(sent, /\r\nContent-Length: 0\r\n/, 'app Content-Length replaced');

  const options = await peer.next(/^OPTIONS /);
  t.equal(headerOf(options, 'X-Test'), '1');
  peer.send(['SIP/2.0 200 OK', `Via: ${headerOf(options, 'Via')}`, `From: ${headerOf(options, 'From')}`,
    `To: ${headerOf(options, 'To')};tag=b`, `Call-ID: ${headerOf(options, 'Call-ID')}`, `CSeq: ${headerOf(options, 'CSeq')}`,
    'Content-Length: 0', '', ''].join('\r\n'));
  const response = await c.waitFor(/\|sip\|network\|/);
  const rtokens = response.split('\r\n')[0]!.split('|');
  t.equal(rtokens[8], txnId, 'response carries the request txnId');
  t.equal(rtokens[9], '', 'no dialog for OPTIONS');
  t.ok(c.frames.indexOf(ok) < c.frames.indexOf(response), 'OK came first');
});
