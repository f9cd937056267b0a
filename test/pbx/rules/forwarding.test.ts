import t from 'tap';
import { checkForwardingRules, describeDestination } from '../../../src/pbx/rules/forwarding.js';

t.test('valid rules come back normalised, without extra fields', async (t) => {
  const input = {
    always: { kind: 'extension', number: '11', extra: 1 },
    busy: { kind: 'voicemail', box: '10' },
    noAnswer: { after: 20, to: { kind: 'queue', number: '500' } },
    unavailable: { kind: 'hangup' },
  };
  t.same(checkForwardingRules(input, '10'), {
    always: { kind: 'extension', number: '11' },
    busy: { kind: 'voicemail', box: '10' },
    noAnswer: { after: 20, to: { kind: 'queue', number: '500' } },
    unavailable: { kind: 'hangup' },
  });
  t.same(checkForwardingRules({}, '10'), {});
});

t.test('bad rules say which extension, which condition and what was wrong', async (t) => {
  t.throws(() => checkForwardingRules({ busy: { kind: 'mobile', number: '600' } }, '10'),
    { name: 'ValidationError', message: 'forwarding of extension 10: busy: destination kind "mobile" is not one of extension, queue, voicemail, hangup' });
  t.throws(() => checkForwardingRules({ always: { kind: 'extension', number: '1' } }, '10'),
    { message: 'forwarding of extension 10: always: number "1" is not a number of 2–6 digits' });
  t.throws(() => checkForwardingRules({ noAnswer: { after: 2, to: { kind: 'hangup' } } }, '10'),
    { message: 'forwarding of extension 10: noAnswer.after must be whole seconds from 5 to 300, got 2' });
  t.throws(() => checkForwardingRules({ noAnswer: { after: 20 } }, '10'), { message: /noAnswer\.to: destination kind undefined/ });
  t.throws(() => checkForwardingRules({ sometimes: {} }, '10'), { message: /unknown condition "sometimes"/ });
  t.throws(() => checkForwardingRules(null, '10'), { message: /expected an object/ });
});

t.test('destinations read naturally in logs', async (t) => {
  t.same(
    [{ kind: 'extension', number: '10' }, { kind: 'queue', number: '500' }, { kind: 'voicemail', box: '10' }, { kind: 'hangup' }]
      .map((d) => describeDestination(d as Parameters<typeof describeDestination>[0])),
    ['extension 10', 'queue 500', 'voicemail 10', 'hang up'],
  );
});
