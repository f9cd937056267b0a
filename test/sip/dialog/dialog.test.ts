import t from 'tap';
import { parseMessage } from '../../../src/sip/message/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.js';
import type { InboundInfo } from '../../../src/sip/transport/types.js';
import { createUacDialog, createUasDialog, updateUacDialogFromResponse } from '../../../src/sip/dialog/create.js';
import { createDialogStore } from '../../../src/sip/dialog/dialog-store.js';
import { buildInDialogRequest, dialogNextHopUri } from '../../../src/sip/dialog/request.js';

function parse<T>(lines: string[]): T {
  const result = parseMessage(Buffer.from([...lines, '', ''].join('\r\n')));
  if (!result.ok) throw new Error(result.error);
  return result.message as T;
}

function info(address: string, port: number, protocol: 'udp' | 'tcp' = 'udp'): InboundInfo {
  return { protocol, source: { address, port }, local: { address: '127.0.0.1', port: 5060 }, raw: Buffer.alloc(0) };
}

const invite = (contact: string, extra: string[] = []) => parse<SipRequest>([
  'INVITE sip:bob@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK1',
  'From: "Alice" <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: call-1',
  'CSeq: 10 INVITE',
  `Contact: ${contact}`,
  ...extra,
  'Content-Length: 0',
]);

t.test('UAS dialog: id from the remote From tag, parties swapped, remote CSeq kept', async (t) => {
  const d = createUasDialog({ request: invite('<sip:alice@192.168.1.20:5060>'), info: info('192.168.1.20', 5060),
    usage: 'invite', localTag: 'b1', localContact: '<sip:127.0.0.1:5060>', appId: 'app' });
  t.equal(d.id, 'call-1;from-tag=a1');
  t.match(d.localParty, /^<sip:bob@example\.com>;tag=b1$/);
  t.equal(d.remoteParty, '"Alice" <sip:alice@example.com>;tag=a1');
  t.equal(d.remoteCSeq, 10);
  t.equal(d.remoteTarget, 'sip:alice@192.168.1.20:5060');
  t.equal(d.sendToFlow, false, 'contact matches the packet source');
});

t.test('NAT rule: UAS over UDP whose Contact differs from the packet source, no Record-Route', async (t) => {
  const natted = createUasDialog({ request: invite('<sip:alice@192.168.1.20:5060>'), info: info('203.0.113.7', 40001),
    usage: 'invite', localTag: 'b1', localContact: '', appId: 'app' });
  t.equal(natted.sendToFlow, true);
  const routed = createUasDialog({ request: invite('<sip:alice@192.168.1.20:5060>', ['Record-Route: <sip:proxy.example.com;lr>']),
    info: info('203.0.113.7', 40001), usage: 'invite', localTag: 'b1', localContact: '', appId: 'app' });
  t.equal(routed.sendToFlow, false, 'a proxy in the path handles NAT');
  t.equal(dialogNextHopUri(routed, routed.remoteTarget), 'sip:proxy.example.com;lr');
});

t.test('UAC dialog: id from our From tag; remote tag, target and reversed route set from the 2xx', async (t) => {
  const sent = parse<SipRequest>([
    'INVITE sip:bob@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2',
    'From: <sip:alice@127.0.0.1>;tag=ours', 'To: <sip:bob@10.0.0.2>', 'Call-ID: call-2', 'CSeq: 7 INVITE',
    'Contact: <sip:127.0.0.1:5060>', 'Content-Length: 0',
  ]);
  const d = createUacDialog({ request: sent, usage: 'invite', appId: 'app', flow: { protocol: 'udp', address: '10.0.0.2', port: 5060 } });
  t.equal(d.id, 'call-2;from-tag=ours');
  t.equal(d.remoteTag, '');
  const ok = parse<SipResponse>([
    'SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2', 'From: <sip:alice@127.0.0.1>;tag=ours',
    'To: <sip:bob@10.0.0.2>;tag=theirs', 'Call-ID: call-2', 'CSeq: 7 INVITE', 'Contact: <sip:bob@10.0.0.2:5070>',
    'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>', 'Content-Length: 0',
  ]);
  updateUacDialogFromResponse(d, ok, info('10.0.0.2', 5060));
  t.equal(d.remoteTag, 'theirs');
  t.equal(d.remoteTarget, 'sip:bob@10.0.0.2:5070');
  t.same(d.routeSet, ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);

  const bye = buildInDialogRequest(d, { method: 'BYE', appUri: 'sip:placeholder', headers: [{ name: 'X-A', value: '1' }, { name: 'From', value: 'evil' }], body: Buffer.alloc(0) });
  t.equal(bye.uri, 'sip:bob@10.0.0.2:5070', 'placeholder → remote target');
  const names = bye.headers.map((h) => `${h.name}: ${h.value}`);
  t.same(names.slice(0, 6), ['From: <sip:alice@127.0.0.1>;tag=ours', 'To: <sip:bob@10.0.0.2>;tag=theirs', 'Call-ID: call-2',
    'CSeq: 8 BYE', 'Route: <sip:p2.example.com;lr>', 'Route: <sip:p1.example.com;lr>']);
  t.notOk(names.includes('From: evil'), 'dialog owns From');
  t.ok(names.includes('X-A: 1'));
  const ack = buildInDialogRequest(d, { method: 'ACK', appUri: 'sip:whatever@x', headers: [], body: Buffer.alloc(0), cseq: 7 });
  t.match(ack.headers.find((h) => h.name === 'CSeq')?.value, '7 ACK');
  t.equal(d.localCSeq, 8, 'ACK does not consume a CSeq');
});

t.test('store: loops through one server give two legs one id; the owning app picks', async (t) => {
  const store = createDialogStore();
  const uas = createUasDialog({ request: invite('<sip:alice@127.0.0.1:5060>'), info: info('127.0.0.1', 5060),
    usage: 'invite', localTag: 'b1', localContact: '', appId: 'app-2' });
  const sent = parse<SipRequest>([
    'INVITE sip:bob@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK3',
    'From: "Alice" <sip:alice@example.com>;tag=a1', 'To: <sip:bob@example.com>', 'Call-ID: call-1', 'CSeq: 10 INVITE', 'Content-Length: 0',
  ]);
  const uac = createUacDialog({ request: sent, usage: 'invite', appId: 'app-1', flow: { protocol: 'udp', address: '127.0.0.1', port: 5060 } });
  store.add(uas);
  store.add(uac);
  t.equal(uas.id, uac.id);
  t.equal(store.findById(uas.id, 'app-2'), uas);
  t.equal(store.findById(uas.id, 'app-1'), uac);
  t.equal(store.findById(uas.id, 'app-3'), undefined);
  t.equal(store.findByTags('call-1', 'b1', 'a1'), uas, 'a request to our UAS leg');
  t.equal(store.findByTags('call-1', 'a1', 'b1'), uac, 'an early UAC leg adopts the remote tag');
  t.equal(store.findByTags('call-1', 'b1', 'zz'), undefined, 'wrong remote tag');
  store.remove(uas);
  t.equal(uas.state, 'terminated');
  t.equal(store.findById(uas.id, 'app-2'), undefined);
  t.equal(store.size(), 1);
});
