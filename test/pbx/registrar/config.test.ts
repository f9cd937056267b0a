import t from 'tap';
import { DEFAULT_PBX_CONFIG, resolvePbxConfig } from '../../../src/pbx/config.js';
import { realmFor } from '../../../src/pbx/app.js';

t.test('defaults, overrides and refused values', async (t) => {
  t.same(resolvePbxConfig(), DEFAULT_PBX_CONFIG);
  const c = resolvePbxConfig({ minExpiresS: 30, lockout: { maxFailures: 3 } });
  t.equal(c.minExpiresS, 30);
  t.equal(c.lockout.maxFailures, 3);
  t.equal(c.lockout.blockS, DEFAULT_PBX_CONFIG.lockout.blockS, 'other lockout keys keep their defaults');
  t.equal(resolvePbxConfig({ maxExpiresS: 600 }).defaultExpiresS, 600, 'default follows a lowered maximum');
  t.throws(() => resolvePbxConfig({ minExpiresS: 0 }), { message: /pbx\.minExpiresS must be a positive number/ });
  t.throws(() => resolvePbxConfig({ minExpiresS: 4000 }), { message: /above pbx\.maxExpiresS/ });
  t.throws(() => resolvePbxConfig({ defaultExpiresS: 10 }), { message: /defaultExpiresS \(10\) must lie between/ });
  t.throws(() => resolvePbxConfig({ lockout: { windowS: -1 } }), { message: /lockout\.windowS/ });
  t.throws(() => resolvePbxConfig({ realm: 'a b' }), { message: /pbx\.realm/ });
});

t.test('realm: pbx.realm, else sip.domain, else publicHost', async (t) => {
  const pbx = resolvePbxConfig();
  t.equal(realmFor({ publicHost: '10.0.0.1', sip: { domain: null } }, pbx), '10.0.0.1');
  t.equal(realmFor({ publicHost: '10.0.0.1', sip: { domain: 'office.example' } }, pbx), 'office.example');
  t.equal(realmFor({ publicHost: '10.0.0.1', sip: { domain: 'office.example' } }, resolvePbxConfig({ realm: 'r' })), 'r');
});
