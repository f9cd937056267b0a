/**
 * The embedded server's TCP side against the robustness corpus: several messages on one
 * connection, a message dribbled in tiny writes, garbage before a valid message, torture
 * messages and seeded mutations each on its own connection. It must stay up, answer what it
 * can, close connections it cannot frame any more, and end with no connection left open.
 */
import t from 'tap';
import { loadCorpus, mutations } from '../../helpers/sip/corpus.js';
import { startEmbeddedServer, delay, type SrfReq, type SrfRes, type Teardownable } from '../../helpers/srf.js';
import { countStatuses, options, message, tcpExchange, viaToUs } from './wire.js';
import { idle, waitForIdle } from './idle.js';

async function setup(t: Teardownable) {
  const es = await startEmbeddedServer(t);
  await es.connectApp((srf) => srf.options((_req: SrfReq, res: SrfRes) => res.send(200)));
  return es;
}

const finals = (received: string) => countStatuses(received).filter((s) => s >= 200);

t.test('several messages on one connection, in one write and dribbled byte by byte', async (t) => {
  const es = await setup(t);
  const batch = await tcpExchange(es.sipPort, (p) => [Buffer.concat([options('tcp-1', p, 'TCP'), message('tcp-2', p, 'TCP'), options('tcp-3', p, 'TCP')])],
    { ms: 5000, done: (r) => finals(r).length >= 3 });
  t.same(finals(batch.received).sort(), [200, 200, 503], 'three answers: app 200 twice, unrouted 503');
  t.match(batch.received, /Call-ID: tcp-1/);
  t.match(batch.received, /Call-ID: tcp-2/);
  t.match(batch.received, /Call-ID: tcp-3/);
  t.notOk(batch.closedByServer, 'the connection stayed open');

  let writes = 0;
  const dribbled = await tcpExchange(es.sipPort, (p) => {
    const whole = Buffer.concat([options('tcp-4', p, 'TCP'), options('tcp-5', p, 'TCP')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 3) chunks.push(whole.subarray(i, i + 3));
    writes = chunks.length;
    return chunks;
  }, { ms: 10_000, done: (r) => finals(r).length >= 2 });
  t.same(finals(dribbled.received), [200, 200], `two messages in ${writes} writes of 3 bytes: both answered`);
  t.match(dribbled.received, /Call-ID: tcp-4[\s\S]*Call-ID: tcp-5/, 'answers match the requests');
});

t.test('garbage, then a valid message', async (t) => {
  const es = await setup(t);
  for (const [name, garbage] of [
    ['binary', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])],
    ['text-line', Buffer.from('HELLO THERE\r\n\r\n')],
    ['http', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ] as const) {
    const r = await tcpExchange(es.sipPort, (p) => [garbage, options(`garbage-${name}`, p, 'TCP')], { ms: 3000, done: (x) => /Call-ID: garbage-/.test(x) && finals(x).length > 0 });
    // Either the server resynchronises and answers the OPTIONS, or it closes the stream it
    // could not frame; what it must not do is hang on to it silently.
    const answered = /Call-ID: garbage-/.test(r.received) && finals(r.received).includes(200);
    t.ok(answered || r.closedByServer, `${name}: answered the valid message (${answered}) or closed the connection (${r.closedByServer})`);
    t.notOk(/Call-ID: garbage-/.test(r.received) && !answered, `${name}: never a wrong answer to the valid message`);
    const fresh = await tcpExchange(es.sipPort, (p) => [options(`fresh-${name}`, p, 'TCP')], { ms: 3000, done: (x) => finals(x).length > 0 });
    t.same(finals(fresh.received), [200], `${name}: a new connection is served: ${JSON.stringify(r)} ${JSON.stringify(fresh.received)}`);
  }
  t.same(await waitForIdle(es.server, 5000), idle({ core: { dialogs: 0, inboundTransactions: 0, outboundTransactions: 0 }, apps: 1, transport: null, transactions: null }), 'no connection left open');
});

t.test('torture corpus and 600 mutations, each on its own connection', async (t) => {
  const es = await setup(t);
  const inputs = [
    ...loadCorpus().map((e) => ({
      name: e.name,
      data: e.data,
      invalidRequest: !e.valid && !e.data.toString('latin1').startsWith('SIP/2.0'),
      // a stream whose Content-Length is unusable cannot be framed: closing it is the answer
      unframeable: e.expect !== undefined && /content-length/i.test(e.expect.source),
    })),
    ...mutations(7, 600).map((m) => ({ name: m.name, data: m.data, invalidRequest: false, unframeable: false })),
  ];
  const got400: string[] = [];
  const missing400: string[] = [];
  const lingering: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      // Half-close after writing: the server must answer or drop, then close its side too.
      const r = await tcpExchange(es.sipPort, (p) => [viaToUs(input.data, p, 'TCP')], { ms: 4000, halfClose: true });
      if (!r.closedByServer) lingering.push(`${input.name}: ${JSON.stringify(r.received.slice(0, 60))}`);
      if (input.unframeable) (r.closedByServer || finals(r.received).includes(400) ? got400 : missing400).push(input.name);
      else if (input.invalidRequest) (finals(r.received).includes(400) ? got400 : missing400).push(input.name);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  t.same(missing400, [], `every invalid torture request got a 400 over TCP (or, unframeable, a closed connection) (${got400.length})`);
  t.same(lingering, [], 'the server closed every half-closed connection');
  const probe = await tcpExchange(es.sipPort, (p) => [options('tcp-after', p, 'TCP')], { ms: 3000, done: (x) => finals(x).length > 0 });
  t.same(finals(probe.received), [200], 'a valid OPTIONS afterwards gets 200');
  await delay(50);
  t.same(await waitForIdle(es.server, 15_000), idle({ core: { dialogs: 0, inboundTransactions: 0, outboundTransactions: 0 }, apps: 1, transport: null, transactions: null }), 'transactions, dialogs and connections back to baseline');
});
