import t from 'tap';
import { PASSWORD_ALPHABET, generatePassword, generateToken } from '../../src/util/secrets.js';

t.test('generatePassword', (t) => {
  const pw = generatePassword();
  t.equal(pw.length, 20, 'default length 20');
  t.equal(generatePassword(32).length, 32);
  for (const c of pw) t.ok(PASSWORD_ALPHABET.includes(c), `char ${c} in alphabet`);
  t.notMatch(PASSWORD_ALPHABET, /[0O1lI]/, 'no look-alike characters');
  const many = new Set(Array.from({ length: 200 }, () => generatePassword()));
  t.equal(many.size, 200, 'no repeats');
  t.throws(() => generatePassword(4), RangeError);
  t.end();
});

t.test('generateToken: >=128 bits, URL safe, unique', (t) => {
  const tok = generateToken();
  t.match(tok, /^[A-Za-z0-9_-]{32}$/);
  t.equal(Buffer.from(tok, 'base64url').length * 8, 192);
  t.equal(new Set(Array.from({ length: 200 }, () => generateToken())).size, 200);
  t.end();
});
