import t from 'tap';
import sdpTransform from 'sdp-transform';
import { createAnswer, createOffer, createSdpSession, parseAnswer } from '../../src/media/sdp.js';

const local = { address: '127.0.0.1', port: 20000, sessionId: 777 };

/** An offer as a phone writes it; `extra` lines go into the audio section. */
function phoneOffer(opts: { payloads?: string; rtpmaps?: string[]; extra?: string[]; address?: string; port?: number; proto?: string; video?: boolean } = {}): string {
  const lines = [
    'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', `c=IN IP4 ${opts.address ?? '127.0.0.1'}`, 't=0 0',
    `m=audio ${opts.port ?? 16450} ${opts.proto ?? 'RTP/AVP'} ${opts.payloads ?? '0 8 101'}`,
    ...(opts.rtpmaps ?? ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15']),
    ...(opts.extra ?? []),
    ...(opts.video ? ['m=video 16452 RTP/AVP 96', 'a=rtpmap:96 H264/90000'] : []),
  ];
  return lines.join('\r\n') + '\r\n';
}

t.test('answer picks our first codec the phone offers and mirrors its telephone-event', async (t) => {
  const answer = createAnswer(phoneOffer({ payloads: '8 0 101' }), local);
  t.ok(answer.ok);
  if (!answer.ok) return;
  t.same(answer.negotiated, { payloadType: 0, codec: 'PCMU', ptimeMs: 20, dtmfPayloadType: 101, direction: 'sendrecv', remote: { address: '127.0.0.1', port: 16450 } });
  const parsed = sdpTransform.parse(answer.sdp);
  const audio = parsed.media[0]!;
  t.equal(audio.payloads, '0 101', 'answer carries only the chosen codec and telephone-event');
  t.same(audio.fmtp, [{ payload: 101, config: '0-16' }]);
  t.equal(audio.port, 20000);
  t.equal(parsed.connection?.ip, '127.0.0.1');
  t.equal(audio.ptime, 20);
  t.equal(audio.maxptime, 60);
  t.equal(audio.direction, 'sendrecv');

  const pcmaFirst = createAnswer(phoneOffer(), { ...local, preferredCodecs: ['PCMA', 'PCMU'] });
  t.ok(pcmaFirst.ok && pcmaFirst.negotiated.codec === 'PCMA' && pcmaFirst.negotiated.payloadType === 8, 'our preference order wins');
});

t.test('no common codec or unusable offers give a 488 value with a reason', async (t) => {
  const cases: [string, RegExp][] = [
    [phoneOffer({ payloads: '18 9', rtpmaps: ['a=rtpmap:18 G729/8000', 'a=rtpmap:9 G722/8000'] }), /no common codec: offer has G729, G722, we support PCMU, PCMA/],
    [phoneOffer({ proto: 'RTP/SAVP' }), /RTP\/SAVP; only plain RTP\/AVP/],
    [phoneOffer({ port: 0 }), /no usable audio stream/],
    ['this is not sdp', /no m= lines|could not be parsed/],
  ];
  for (const [offer, reason] of cases) {
    const answer = createAnswer(offer, local);
    t.equal(answer.ok, false);
    if (!answer.ok) {
      t.equal(answer.status, 488);
      t.match(answer.reason, reason);
    }
  }
  const onlyPcma = createAnswer(phoneOffer({ payloads: '8', rtpmaps: ['a=rtpmap:8 PCMA/8000'] }), { ...local, preferredCodecs: ['PCMU'] });
  t.notOk(onlyPcma.ok, 'a codec we chose not to allow is not accepted');
});

t.test('ptime: the phone decides (SPA303 asks for 30), default 20, snapped to 10 ms frames', async (t) => {
  const ptimeOf = (extra: string[]) => {
    const answer = createAnswer(phoneOffer({ extra }), local);
    return answer.ok ? [answer.negotiated.ptimeMs, sdpTransform.parse(answer.sdp).media[0]!.ptime] : null;
  };
  t.same(ptimeOf(['a=ptime:30']), [30, 30]);
  t.same(ptimeOf([]), [20, 20]);
  t.same(ptimeOf(['a=ptime:30', 'a=maxptime:20']), [20, 20], 'maxptime caps ptime');
  t.same(ptimeOf(['a=ptime:25']), [20, 20], 'odd ptimes fall back to 20');
  t.same(ptimeOf(['a=ptime:120']), [60, 60], 'capped at 60');
});

t.test('hold and resume directions, including old-style c=0.0.0.0', async (t) => {
  const directionFor = (extra: string[], address?: string) => {
    const answer = createAnswer(phoneOffer({ extra, address }), local);
    return answer.ok ? [answer.negotiated.direction, sdpTransform.parse(answer.sdp).media[0]!.direction] : null;
  };
  t.same(directionFor(['a=sendonly']), ['recvonly', 'recvonly'], 'phone holds: we only receive (its MOH)');
  t.same(directionFor(['a=recvonly']), ['sendonly', 'sendonly']);
  t.same(directionFor(['a=inactive']), ['inactive', 'inactive']);
  t.same(directionFor(['a=sendrecv']), ['sendrecv', 'sendrecv'], 'resume');
  t.same(directionFor([], '0.0.0.0'), ['recvonly', 'recvonly'], 'c=0.0.0.0 means do not send to me');
  t.same(directionFor(['a=sendonly'], '0.0.0.0'), ['recvonly', 'recvonly'], 'hold with 0.0.0.0 and sendonly: still only receive');
  t.same(directionFor(['a=recvonly'], '0.0.0.0'), ['inactive', 'inactive'], 'nobody may send');
});

t.test('other media streams are rejected in place with port 0', async (t) => {
  const answer = createAnswer(phoneOffer({ video: true }), local);
  t.ok(answer.ok);
  if (!answer.ok) return;
  const media = sdpTransform.parse(answer.sdp).media;
  t.equal(media.length, 2);
  t.equal(media[1]!.type, 'video');
  t.equal(media[1]!.port, 0);
});

t.test('our offers and the answers to them', async (t) => {
  const offer = createOffer({ ...local, preferredCodecs: ['PCMA', 'PCMU'] }, { direction: 'sendonly', ptimeMs: 30 });
  const parsedOffer = sdpTransform.parse(offer).media[0]!;
  t.equal(parsedOffer.payloads, '8 0 101');
  t.equal(parsedOffer.direction, 'sendonly');
  t.equal(parsedOffer.ptime, 30);

  const phoneAnswer = phoneOffer({ payloads: '0 101', rtpmaps: ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000'], extra: ['a=recvonly', 'a=ptime:30'] });
  const result = parseAnswer(phoneAnswer, { preferredCodecs: ['PCMA', 'PCMU'], direction: 'sendonly' });
  t.ok(result.ok);
  if (result.ok) t.same(result.negotiated, { payloadType: 0, codec: 'PCMU', ptimeMs: 30, dtmfPayloadType: 101, direction: 'sendonly', remote: { address: '127.0.0.1', port: 16450 } });

  const narrowed = parseAnswer(phoneOffer({ extra: ['a=inactive'] }));
  t.ok(narrowed.ok && narrowed.negotiated.direction === 'inactive');
  const bad = parseAnswer(phoneOffer({ payloads: '18', rtpmaps: ['a=rtpmap:18 G729/8000'] }));
  t.notOk(bad.ok);
  if (!bad.ok) t.match(bad.reason, /no codec we offered/);
});

t.test('a dialog session keeps its o= id and bumps the version on every re-offer', async (t) => {
  const session = createSdpSession(local);
  const versions = [
    session.answer(phoneOffer()),
    session.offer({ direction: 'sendonly' }),
    session.offer({ direction: 'sendrecv' }),
  ].map((r) => sdpTransform.parse(typeof r === 'string' ? r : r.ok ? r.sdp : '').origin);
  t.same(versions.map((o) => o.sessionVersion), [1, 2, 3]);
  t.ok(versions.every((o) => String(o.sessionId) === '777'));
});
