/**
 * Config errors name the key and what is allowed, but never echo a value that may hold a
 * secret (SMTP password, drachtio control secret).
 */
import t from 'tap';
import { loadConfig } from '../src/config.js';

t.test('HOOKFLASH_SMTP_URL sets mail.smtpUrl', async (t) => {
  const config = loadConfig({ env: { HOOKFLASH_SMTP_URL: 'smtp://vm:s3cret@127.0.0.1:2525' } });
  t.equal(config.mail.smtpUrl, 'smtp://vm:s3cret@127.0.0.1:2525');
  t.equal(loadConfig({ env: {} }).mail.smtpUrl, null, 'e-mail is off by default');
});

t.test('a bad SMTP URL is refused without quoting it', async (t) => {
  const err = t.throws(() => loadConfig({ env: { HOOKFLASH_SMTP_URL: 'http://vm:s3cret@mail.example.com' } })) as Error;
  t.match(err.message, /mail\.smtpUrl/);
  t.match(err.message, /HOOKFLASH_SMTP_URL/);
  t.match(err.message, /smtp:\/\//, 'says what is allowed');
  t.notMatch(err.message, /s3cret/, 'the password is not in the message');
});

t.test('a bad external drachtio server is refused without quoting its secret', async (t) => {
  const err = t.throws(() => loadConfig({ overrides: { sip: { server: { host: 'x', port: 0, secret: 'hunter2' } } } as never })) as Error;
  t.match(err.message, /sip\.server/);
  t.notMatch(err.message, /hunter2/);
});
