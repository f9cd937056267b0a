import t from 'tap';
import { parseReferTo, parseReplaces } from '../../../src/pbx/transfer/refer-to.js';
import { sipfrag } from '../../../src/pbx/transfer/notify.js';
import { asTwoWayOffer } from '../../../src/pbx/call/sdp.js';

t.test('blind Refer-To: the number to dial', async (t) => {
  t.same(parseReferTo('<sip:103@pbx.example.com>'), { user: '103', uri: 'sip:103@pbx.example.com', replaces: undefined });
  t.same(parseReferTo('sip:103@10.0.0.1;user=phone'), { user: '103', uri: 'sip:103@10.0.0.1', replaces: undefined });
  t.equal(parseReferTo('<tel:103>'), undefined);
  t.equal(parseReferTo(undefined), undefined);
});

t.test('attended Refer-To (linphone / SPA style) carries the consultation dialog', async (t) => {
  const target = parseReferTo('<sip:103@127.0.0.1?Replaces=abc%40host%3Bto-tag%3D111%3Bfrom-tag%3D222>');
  t.same(target?.replaces, { callId: 'abc@host', toTag: '111', fromTag: '222' });
  t.equal(target?.user, '103');
  const mixedOrder = parseReferTo('<sip:103@h?Replaces=x%3Bfrom-tag%3Df%3Bto-tag%3Dt&Require=replaces>');
  t.same(mixedOrder?.replaces, { callId: 'x', toTag: 't', fromTag: 'f' });
  t.equal(parseReplaces('callid;to-tag=1'), undefined, 'both tags are needed');
});

t.test('sipfrag and the two-way offer', async (t) => {
  t.equal(sipfrag(486), 'SIP/2.0 486 Busy Here\r\n');
  t.equal(sipfrag(299), 'SIP/2.0 299 OK\r\n');
  t.equal(asTwoWayOffer('v=0\r\nm=audio 1 RTP/AVP 0\r\na=recvonly\r\n'), 'v=0\r\nm=audio 1 RTP/AVP 0\r\na=sendrecv\r\n');
});
