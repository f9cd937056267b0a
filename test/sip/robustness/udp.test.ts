/**
 * The running embedded server (with a real drachtio-srf app answering OPTIONS) against the
 * robustness corpus over UDP: RFC 4475 torture messages, hand-made invalid requests and
 * seeded mutations. It must stay up, answer 400 to invalid requests it can answer, ignore
 * broken responses, keep serving valid requests, and return to its idle state.
 */
import t from 'tap';
import { loadCorpus, mutations } from '../../helpers/sip/corpus.js';
import { startEmbeddedServer, delay, type SrfReq, type SrfRes, type Teardownable } from '../../helpers/srf.js';
import { branchOf, callIdOf, options, statusOf, udpCollector, viaToUs } from './wire.js';
import { idle, waitForIdle } from './idle.js';

async function setup(t: Teardownable) {
  const es = await startEmbeddedServer(t);
  await es.connectApp((srf) => srf.options((_req: SrfReq, res: SrfRes) => res.send(200)));
  const udp = await udpCollector();
  t.teardown(() => udp.close());
  return { es, udp };
}

t.test('RFC 4475 corpus over UDP: 400 for invalid requests, silence for broken responses', async (t) => {
  const { es, udp } = await setup(t);
  const corpus = loadCorpus();
  for (const entry of corpus) {
    await udp.send(viaToUs(entry.data, udp.port), es.sipPort);
    await delay(5);
  }
  const isRequest = (e: { data: Buffer }) => !e.data.subarray(0, 8).toString('latin1').startsWith('SIP/2.0');
  for (const entry of corpus.filter((e) => !e.valid)) {
    if (isRequest(entry)) {
      // Matched by Call-ID, or by branch for the one without a Call-ID (insuf).
      const text = entry.data.toString('latin1');
      const callId = callIdOf(text);
      const branch = branchOf(text);
      t.ok(callId ?? branch, `${entry.name} has a Call-ID or branch to match`);
      const mine = (r: string) => (callId !== undefined ? callIdOf(r) === callId : branchOf(r) === branch);
      const reply = await udp.waitFor((r) => mine(r) && statusOf(r) !== null && statusOf(r)! >= 200, 2000);
      t.equal(reply === null ? null : statusOf(reply), 400, `${entry.name}: answered 400 Bad Request`);
    }
  }
  await delay(200);
  const requestCallIds = new Set(corpus.filter(isRequest).map((e) => callIdOf(e.data.toString('latin1'))));
  for (const entry of corpus.filter((e) => !isRequest(e))) {
    const callId = callIdOf(entry.data.toString('latin1'));
    if (requestCallIds.has(callId)) continue;   // e.g. response-401 shares spa303-register's Call-ID
    t.notOk(udp.replies.some((r) => callIdOf(r) === callId), `${entry.name} (a response) is never answered`);
  }
  // A valid request after all that still reaches the app and one no app routes gets 503.
  await udp.send(options('after-corpus', udp.port, 'UDP'), es.sipPort);
  const ok = await udp.waitFor((r) => callIdOf(r) === 'after-corpus', 3000);
  t.equal(ok === null ? null : statusOf(ok), 200, 'a valid OPTIONS afterwards gets 200 from the app');
  const msg = Buffer.from(options('after-corpus-msg', udp.port, 'UDP').toString('latin1').replace(/OPTIONS/g, 'MESSAGE'));
  await udp.send(msg, es.sipPort);
  const unrouted = await udp.waitFor((r) => callIdOf(r) === 'after-corpus-msg', 3000);
  t.equal(unrouted === null ? null : statusOf(unrouted), 503, 'a request no app routes gets 503');
  const stats = es.server.stats();
  t.ok(stats.transport!.badRequestsAnswered >= corpus.filter((e) => !e.valid && isRequest(e)).length, 'the transport counted its 400s');
});

t.test('hand-made invalid requests with all mandatory headers get 400', async (t) => {
  const { es, udp } = await setup(t);
  const cases: Array<[string, (text: string) => string]> = [
    ['cseq-method-mismatch', (s) => s.replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE')],
    ['cseq-not-a-number', (s) => s.replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS')],
    ['content-length-abc', (s) => s.replace('Content-Length: 0', 'Content-Length: abc')],
    ['content-length-negative', (s) => s.replace('Content-Length: 0', 'Content-Length: -1')],
    ['content-length-beyond-datagram', (s) => s.replace('Content-Length: 0', 'Content-Length: 500')],
    ['bad-version', (s) => s.replace('OPTIONS sip:probe@127.0.0.1 SIP/2.0', 'OPTIONS sip:probe@127.0.0.1 SIP/7.0')],
    ['bad-request-uri', (s) => s.replace('OPTIONS sip:probe@127.0.0.1 SIP/2.0', 'OPTIONS <sip:probe@127.0.0.1> SIP/2.0')],
    ['two-content-lengths', (s) => s.replace('Content-Length: 0', 'Content-Length: 0\r\nContent-Length: 4')],
    ['bad-from', (s) => s.replace(/^From: .*$/m, 'From: "unterminated <sip:robust@127.0.0.1>;tag=x')],
  ];
  for (const [name, mutate] of cases) {
    const callId = `hand-${name}`;
    await udp.send(Buffer.from(mutate(options(callId, udp.port, 'UDP').toString('latin1')), 'latin1'), es.sipPort);
    const reply = await udp.waitFor((r) => callIdOf(r) === callId, 2000);
    t.equal(reply === null ? null : statusOf(reply), 400, `${name}: 400`);
    if (reply !== null) t.match(reply, new RegExp(`^Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${udp.port};branch=z9hG4bK-${callId}`, 'm'), `${name}: the 400 carries our Via`);
  }
  const ok = await udp.waitFor(() => false, 1);
  t.equal(ok, null);
  await udp.send(options('hand-after', udp.port, 'UDP'), es.sipPort);
  const after = await udp.waitFor((r) => callIdOf(r) === 'hand-after', 3000);
  t.equal(after === null ? null : statusOf(after), 200, 'still serving');
});

t.test('3,000 seeded mutations over UDP: stays up, keeps serving, returns to idle', async (t) => {
  const { es, udp } = await setup(t);
  const before = idle(es.server.stats());
  const list = mutations(4475, 3000);
  for (let i = 0; i < list.length; i++) {
    await udp.send(viaToUs(list[i]!.data, udp.port), es.sipPort);
    if (i % 50 === 49) await delay(5);   // paced so loss in the kernel buffer is not the test
  }
  await udp.send(options('after-mutations', udp.port, 'UDP'), es.sipPort);
  const ok = await udp.waitFor((r) => callIdOf(r) === 'after-mutations', 5000);
  t.equal(ok === null ? null : statusOf(ok), 200, 'a valid OPTIONS after the flood gets 200');
  const stats = es.server.stats();
  t.ok(stats.transport!.parseErrors > 500, `many mutations were rejected by the parser (${stats.transport!.parseErrors})`);
  t.ok(stats.transport!.badRequestsAnswered > 100, `and many answered 400 (${stats.transport!.badRequestsAnswered})`);
  const replies = udp.replies.map((r) => statusOf(r));
  t.notOk(replies.some((s) => s === null), 'every datagram the server sent is a SIP response');
  t.same(await waitForIdle(es.server, 15_000), before, 'transactions, dialogs and connections back to baseline');
  t.equal(es.server.stats().apps, 1, 'the app is still connected');
});
