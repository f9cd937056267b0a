import t from 'tap';
import { formatMac, isMac, parseMac } from '../../src/util/mac.js';
import { ValidationError } from '../../src/errors.js';

t.test('accepts every documented form, any case, surrounding whitespace', (t) => {
  const forms = [
    '0011223344aa', '0011223344AA', '00:11:22:33:44:AA', '00:11:22:33:44:aa', '00-11-22-33-44-aa',
    '00-11-22-33-44-AA', '0011.2233.44aa', '0011.2233.44AA', '  00:11:22:33:44:aa\n', '\t0011223344Aa ',
  ];
  for (const f of forms) t.equal(parseMac(f), '0011223344aa', JSON.stringify(f));
  t.end();
});

t.test('rejects garbage with a message quoting the input and listing accepted forms', (t) => {
  const bad = [
    '', '   ', '00:11:zz:33:44:aa', '0011223344a', '0011223344aab', '00:11:22:33:44', '00:11-22:33:44:aa',
    '00:11:22:33:44:aa:bb', '0011.2233.44a', '00112233.44aa', 'g011223344aa', '00 11 22 33 44 aa', '0:11:22:33:44:aa',
  ];
  for (const b of bad) {
    t.throws(() => parseMac(b), ValidationError, JSON.stringify(b));
    t.throws(() => parseMac(b), { message: new RegExp(`^mac ${escape(JSON.stringify(b))} is not a MAC address \\(accepted: .*00:11:22:33:44:aa.*0011\\.2233\\.44aa`) });
    t.equal(isMac(b), false);
  }
  t.equal(isMac('00:11:22:33:44:aa'), true);
  t.end();
});

t.test('formatMac', (t) => {
  t.equal(formatMac('0011223344aa', 'colon'), '00:11:22:33:44:aa');
  t.equal(formatMac('0011223344aa', 'upper'), '0011223344AA');
  t.equal(formatMac('00-11-22-33-44-AA', 'plain'), '0011223344aa');
  t.equal(formatMac('0011223344aa'), '00:11:22:33:44:aa', 'colon by default');
  t.throws(() => formatMac('nope', 'plain'), ValidationError);
  t.end();
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
