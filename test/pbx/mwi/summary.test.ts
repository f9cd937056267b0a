import t from 'tap';
import { messageSummary, parseMessageSummary } from '../../../src/pbx/mwi/index.js';
import { dtmfOfInfo } from '../../../src/pbx/call/media-leg.js';

t.test('message-summary bodies (RFC 3842)', async (t) => {
  t.equal(messageSummary({ new: 2, old: 1 }, 'sip:101@pbx'), 'Messages-Waiting: yes\r\nMessage-Account: sip:101@pbx\r\nVoice-Message: 2/1 (0/0)\r\n');
  t.equal(messageSummary({ new: 0, old: 3 }), 'Messages-Waiting: no\r\nVoice-Message: 0/3 (0/0)\r\n');
  t.same(parseMessageSummary(messageSummary({ new: 4, old: 0 })), { waiting: true, new: 4, old: 0 });
  t.equal(parseMessageSummary('garbage'), undefined);
});

t.test('SIP INFO DTMF bodies', async (t) => {
  t.equal(dtmfOfInfo('application/dtmf-relay', 'Signal=7\r\nDuration=160\r\n'), '7');
  t.equal(dtmfOfInfo('application/dtmf-relay; charset=x', 'Signal= #\r\n'), '#');
  t.equal(dtmfOfInfo('application/dtmf', '5'), '5');
  t.equal(dtmfOfInfo('application/dtmf-relay', 'Signal=x'), undefined, 'not a DTMF key');
  t.equal(dtmfOfInfo('text/plain', 'Signal=1'), undefined, 'other content types are not digits');
  t.equal(dtmfOfInfo(undefined, ''), undefined);
});
