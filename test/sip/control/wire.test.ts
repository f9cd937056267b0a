import t from 'tap';
import {
  formatStackTime, parseCommand, requestSentResponse, responseSentResponse, simpleResponse, sipFrame,
} from '../../../src/sip/control/wire.js';

const meta = { protocol: 'udp', address: '10.0.0.9', port: 5062, bytes: 321, time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) };

t.test('parseCommand keeps empty tokens and splits the SIP text at the first CRLF', async (t) => {
  t.same(parseCommand('id1|sip|||sip:10.0.0.1\r\nINVITE sip:a@b SIP/2.0\r\n\r\n'), {
    ok: true,
    command: { msgId: 'id1', verb: 'sip', args: ['', '', 'sip:10.0.0.1'], sipText: 'INVITE sip:a@b SIP/2.0\r\n\r\n' },
  });
  t.same(parseCommand('id2|ping'), { ok: true, command: { msgId: 'id2', verb: 'ping', args: [], sipText: null } });
  t.match(parseCommand('|ping'), { ok: false });
  t.match(parseCommand('id3'), { ok: false });
  t.match(parseCommand('id4|ping\nx'), { ok: false, error: /bare CR or LF/ });
});

t.test('stack time is HH:MM:SS.uuuuuu in UTC', async (t) => {
  t.equal(formatStackTime(meta.time), '03:04:05.678000');
});

t.test('response to a sent request: token 10 is the txnId, 11 "Msg sent:"', async (t) => {
  const frame = requestSentResponse('app-1', meta, 'txn-9', 'OPTIONS sip:x SIP/2.0\r\n\r\n');
  const [leader, ...rest] = frame.split('\r\n');
  const tokens = leader!.split('|');
  t.same(tokens.slice(1), ['response', 'app-1', 'OK', 'application', '321', 'udp', '10.0.0.9', '5062',
    '03:04:05.678000', 'txn-9', 'Msg sent:', '']);
  t.equal(rest.join('\r\n'), 'OPTIONS sip:x SIP/2.0\r\n\r\n');
});

t.test('response to a sent response: token 11 is the dialogId, 13 "Msg sent:"', async (t) => {
  const frame = responseSentResponse('app-2', meta, 'txn-1', 'abc;from-tag=xyz', 'SIP/2.0 200 OK\r\n\r\n');
  const tokens = frame.split('\r\n')[0]!.split('|');
  t.equal(tokens[10], 'txn-1');
  t.equal(tokens[11], 'abc;from-tag=xyz');
  t.equal(tokens[12], '');
  t.equal(tokens[13], 'Msg sent:');
});

t.test('sip frames: positions 2–9, receivedOn only for new requests, trailing empty token', async (t) => {
  const fresh = sipFrame({ source: 'network', meta, txnId: 't1', dialogId: '', receivedOn: { address: '127.0.0.1', port: 5060 } }, 'X');
  t.same(fresh.split('\r\n')[0]!.split('|').slice(1),
    ['sip', 'network', '321', 'udp', '10.0.0.9', '5062', '03:04:05.678000', 't1', '', '127.0.0.1', '5060', '']);
  const inDialog = sipFrame({ source: 'application', meta, txnId: 'unsolicited', dialogId: 'd1' }, 'BYE');
  const tokens = inDialog.split('\r\n')[0]!.split('|');
  t.equal(tokens.length, 11, 'srf ignores frames with 9 tokens or fewer');
  t.equal(tokens[8], 'unsolicited');
  t.equal(tokens[9], 'd1');
});

t.test('simple responses', async (t) => {
  t.match(simpleResponse('m', 'NO', 'incorrect secret'), /^[0-9a-f-]{36}\|response\|m\|NO\|incorrect secret$/);
  t.match(simpleResponse('m', 'OK', 'pong'), /\|response\|m\|OK\|pong$/);
});
