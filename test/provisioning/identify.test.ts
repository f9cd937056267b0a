import t from 'tap';
import { loadDeviceModels } from '../../src/provisioning/models.js';
import { createIdentifier } from '../../src/provisioning/identify.js';

const identifier = createIdentifier(loadDeviceModels());

t.test('SPA User-Agents give model, firmware and MAC', async (t) => {
  t.same(identifier.parseUserAgent('Cisco/SPA303-7.6.2c (0011223344AA)(CCQ12345678)'), {
    modelId: 'spa303', firmware: '7.6.2c', mac: '0011223344aa',
  });
  t.same(identifier.parseUserAgent('Cisco/SPA303-7.5.5 (CCQ12345678)'), { modelId: 'spa303', firmware: '7.5.5', mac: null },
    'a UA without MAC still names model and firmware');
  t.same(identifier.parseUserAgent('Cisco/SPA112-1.4.1(SR5) (88755A112233)(CCQ1)'), {
    modelId: 'spa112', firmware: '1.4.1(SR5)', mac: '88755a112233',
  });
  t.equal(identifier.parseUserAgent('Mozilla/5.0 (X11; Linux x86_64)'), null);
  t.equal(identifier.parseUserAgent(null), null);
  t.equal(identifier.parseUserAgent(`Cisco/SPA303-7.6.2c (${'A'.repeat(400)})`), null, 'absurdly long UAs are not parsed');
});

t.test('bootstrap names are case-insensitive, with or without a leading slash', async (t) => {
  for (const name of ['spa303.cfg', '/spa303.cfg', 'SPA303.CFG', '/Spa303.Cfg']) {
    t.same(identifier.identify(name, null).target, { kind: 'bootstrap', modelId: 'spa303' }, name);
  }
  t.same(identifier.identify('/spa112.cfg', null).target, { kind: 'bootstrap', modelId: 'spa112' });
  t.same(identifier.identify('/spa999.cfg', null).target, { kind: 'unknown' }, 'a model we do not have');
  t.equal(identifier.identify('spa303.cfg', null).modelId, 'spa303', 'the bootstrap name tells the model');
});

t.test('per-MAC names: canonical and the tolerant forms other servers use', async (t) => {
  t.same(identifier.identify('/spa/0011223344AA.xml', null).target, { kind: 'plain', mac: '0011223344aa' });
  t.same(identifier.identify('spa0011223344aa.xml', null).target, { kind: 'plain', mac: '0011223344aa' });
  t.same(identifier.identify('/0011223344aa.xml', null).target, { kind: 'plain', mac: '0011223344aa' });
  t.same(identifier.identify('/spa/spa0011223344aa.xml', null).target, { kind: 'plain', mac: '0011223344aa' });
  t.same(identifier.identify('/spa/00112233.xml', null).target, { kind: 'unknown' });
  t.same(identifier.identify('/firmware/spa50x-30x-7-6-2c.bin', null).target, { kind: 'firmware', file: 'spa50x-30x-7-6-2c.bin' });
});

t.test('secret URLs: token parsed, and blanked in the name that gets stored', async (t) => {
  const id = identifier.identify('/spa/d/AbCdEfGh12345678_-/0011223344aa.xml', 'Cisco/SPA303-7.6.2c (0011223344AA)(CCQ1)');
  t.same(id.target, { kind: 'secret', token: 'AbCdEfGh12345678_-', mac: '0011223344aa' });
  t.equal(id.displayFile, '/spa/d/…/0011223344aa.xml');
  t.notMatch(id.displayFile, /AbCdEfGh/);
  t.equal(id.mac, '0011223344aa');
  t.equal(id.firmware, '7.6.2c');
  t.equal(id.macMismatch, null);
});

t.test('a User-Agent MAC that differs from the path MAC is flagged', async (t) => {
  const id = identifier.identify('/spa/0011223344aa.xml', 'Cisco/SPA303-7.6.2c (FFEEDDCCBBAA)(CCQ1)');
  t.same(id.macMismatch, { userAgent: 'ffeeddccbbaa', path: '0011223344aa' });
  t.equal(id.mac, 'ffeeddccbbaa', 'the asker is the UA MAC');
});
