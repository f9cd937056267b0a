import t from 'tap';
import {
  bootstrapProfileRule, classifyProvisioningPath, firmwareUrl, plainProfilePath, reportRule, secretProfileRule, secretProfilePath,
} from '../../src/provisioning/urls.js';

const env = { publicHost: 'prov.example', httpPort: 8080 };
const TOKEN = 'AbC_dEf-0123456789xyzXYZ';

t.test('URL builders', async (t) => {
  t.equal(bootstrapProfileRule(env), 'http://prov.example:8080/spa/$MA.xml');
  t.equal(secretProfileRule(env, TOKEN), `http://prov.example:8080/spa/d/${TOKEN}/$MA.xml`);
  t.equal(reportRule(env, TOKEN), `http://prov.example:8080/spa/r/${TOKEN}/$MA.xml`);
  t.equal(firmwareUrl(env, 'spa50x-30x-7-6-2c.bin'), 'http://prov.example:8080/firmware/spa50x-30x-7-6-2c.bin');
  t.equal(bootstrapProfileRule({ publicHost: '10.0.0.1', httpPort: 80 }), 'http://10.0.0.1/spa/$MA.xml');
  t.equal(bootstrapProfileRule({ publicHost: 'fd00::1', httpPort: 8080 }), 'http://[fd00::1]:8080/spa/$MA.xml');
  t.equal(plainProfilePath('0011223344AA'), '/spa/0011223344aa.xml');
  t.equal(secretProfilePath(TOKEN, '0011223344AA'), `/spa/d/${TOKEN}/0011223344aa.xml`);
  t.throws(() => secretProfileRule(env, 'a/b'), { name: 'ValidationError' });
  t.throws(() => firmwareUrl(env, '../etc/passwd'), { name: 'ValidationError' });
});

t.test('classifyProvisioningPath', async (t) => {
  t.same(classifyProvisioningPath('/spa303.cfg'), { kind: 'bootstrap', file: 'spa303.cfg' });
  t.same(classifyProvisioningPath('SPA112.CFG'), { kind: 'bootstrap', file: 'spa112.cfg' }, 'no leading slash, upper case');
  t.same(classifyProvisioningPath('/spa/0011223344AA.xml'), { kind: 'plain', mac: '0011223344aa' });
  t.same(classifyProvisioningPath('/SPA/0011223344aa.XML'), { kind: 'plain', mac: '0011223344aa' });
  t.same(classifyProvisioningPath(`/spa/d/${TOKEN}/0011223344AA.xml`), { kind: 'secret', token: TOKEN, mac: '0011223344aa' }, 'token keeps its case');
  t.same(classifyProvisioningPath(`spa/r/${TOKEN}/0011223344aa.xml`), { kind: 'report', token: TOKEN, mac: '0011223344aa' });
  t.same(classifyProvisioningPath('/firmware/spa112-1.4.1-SR5.bin'), { kind: 'firmware', file: 'spa112-1.4.1-SR5.bin' });
  t.same(classifyProvisioningPath('/spa/0011223344aa.xml?x=1'), { kind: 'plain', mac: '0011223344aa' }, 'query ignored');
  t.same(classifyProvisioningPath('//spa303.cfg'), { kind: 'bootstrap', file: 'spa303.cfg' });
  for (const bad of [
    '/spa/0011223344a.xml', '/spa/0011223344aag.xml', '/spa/00:11:22:33:44:aa.xml', '/firmware/../x.bin', '/firmware/a..b',
    '/firmware/a\\b.bin', '/spa/d/tok%2F/0011223344aa.xml', '/spa303.cfg\0', '/spa/d/short/0011223344aa.xml',
    '/firmware/', '/etc/passwd', '', '/', '/spa/x/0011223344aa.xml', '/templates/devices/spa303.xml.hbs',
  ]) {
    t.same(classifyProvisioningPath(bad), { kind: 'unknown' }, JSON.stringify(bad));
  }
});
