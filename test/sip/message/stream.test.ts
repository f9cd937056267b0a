import t from 'tap';
import { frameStream } from '../../../src/sip/message/index.js';

const MSG = 'OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nl: 5\r\n\r\nhello';

t.test('one complete message, then the next', async (t) => {
  const two = Buffer.from(MSG + MSG);
  t.same(frameStream(two), { kind: 'message', length: MSG.length });
  t.same(frameStream(two.subarray(MSG.length)), { kind: 'message', length: MSG.length });
});

t.test('incomplete until the last body byte arrives', async (t) => {
  const buf = Buffer.from(MSG);
  for (let i = 1; i < buf.length; i++) t.same(frameStream(buf.subarray(0, i)), { kind: 'incomplete' }, `${i} bytes`);
  t.same(frameStream(Buffer.alloc(0)), { kind: 'incomplete' });
});

t.test('keep-alives', async (t) => {
  t.same(frameStream(Buffer.from('\r\n\r\nOPT')), { kind: 'keepalive', length: 4 }, 'CRLFCRLF ping');
  t.same(frameStream(Buffer.from('\r\nOPTIONS')), { kind: 'keepalive', length: 2 }, 'stray CRLF skipped');
  t.same(frameStream(Buffer.from('\r\n')), { kind: 'incomplete' }, 'could still become a ping');
  t.same(frameStream(Buffer.from('\r\n\r')), { kind: 'incomplete' });
  t.same(frameStream(Buffer.from('\nX')), { kind: 'keepalive', length: 1 });
  t.equal(frameStream(Buffer.from('\rX')).kind, 'error');
});

t.test('errors that must close the connection', async (t) => {
  const noLength = frameStream(Buffer.from('OPTIONS sip:b@h SIP/2.0\r\nVia: x\r\n\r\n'));
  t.same(noLength, { kind: 'error', error: 'Content-Length header is mandatory on stream transports' });
  const bad = frameStream(Buffer.from('OPTIONS sip:b@h SIP/2.0\r\nContent-Length: -3\r\n\r\n'));
  t.match(bad.kind === 'error' && bad.error, /Content-Length "-3" is not a non-negative number/);
  const conflict = frameStream(Buffer.from('OPTIONS sip:b@h SIP/2.0\r\nContent-Length: 3\r\nl: 4\r\n\r\n'));
  t.match(conflict.kind === 'error' && conflict.error, /conflicting Content-Length/);
  const endless = frameStream(Buffer.alloc(70000, 0x61));
  t.match(endless.kind === 'error' && endless.error, /no end of headers within 65535 bytes/);
  const longLine = frameStream(Buffer.alloc(20000, 0x61));
  t.match(longLine.kind === 'error' && longLine.error, /start line longer than 16384/);
  const huge = frameStream(Buffer.from('OPTIONS sip:b@h SIP/2.0\r\nContent-Length: 99999\r\n\r\n'));
  t.match(huge.kind === 'error' && huge.error, /exceeds the limit of 65535/);
  const folded = 'OPTIONS sip:b@h SIP/2.0\r\nContent-Length:\r\n 2\r\n\r\nhi';
  t.same(frameStream(Buffer.from(folded + 'next')), { kind: 'message', length: folded.length }, 'folded Content-Length');
});
