import t from 'tap';
import { parseDeviceModel } from '../../src/provisioning/models.js';
import { createProfileRenderer } from '../../src/provisioning/render.js';
import { env, extensions, spa303 } from './content-fixtures.js';

const model = parseDeviceModel({
  id: 'spa303', name: 'Test phone', kind: 'phone', userAgentPatterns: ['^Test/'], bootstrapFiles: ['spa303.cfg'],
  lines: 1, lineKeys: 0, templates: { bootstrap: 'devices/boot.hbs', device: 'devices/dev.hbs', withoutSecrets: 'devices/plain.hbs' }, firmware: [],
}, 'test-model.json');
const models = new Map([[model.id, model]]);

t.test('a custom templates directory with partials and helpers', async (t) => {
  const dir = t.testdir({
    devices: {
      'boot.hbs': '<flat-profile>{{> rule}}</flat-profile>',
      'dev.hbs': '<flat-profile><Station_Name>{{xml "Łódź & Co"}}</Station_Name>{{#each lines}}<User_ID_{{n}}_>{{userId}}</User_ID_{{n}}_>{{/each}}</flat-profile>',
      'plain.hbs': '<flat-profile><Resync_Periodic>{{resync.periodic}}</Resync_Periodic></flat-profile>',
      partials: { 'rule.hbs': '<Profile_Rule>{{profileRule}}</Profile_Rule>' },
    },
  });
  const r = createProfileRenderer({ models, templatesDir: dir, env: env() });
  t.equal(r.renderBootstrap('spa303').body, '<flat-profile><Profile_Rule>http://192.0.2.10:8080/spa/$MA.xml</Profile_Rule></flat-profile>');
  t.equal(r.renderDevice(spa303(), extensions).body, '<flat-profile><Station_Name>Lodz &amp; Co</Station_Name><User_ID_1_>10</User_ID_1_></flat-profile>');
  t.equal(r.renderDevice(spa303(), extensions, { withoutSecrets: true }).body, '<flat-profile><Resync_Periodic>3600</Resync_Periodic></flat-profile>');
});

t.test('template problems surface when the renderer is created, naming the file', async (t) => {
  const broken = t.testdir({ devices: { 'boot.hbs': '<flat-profile>{{#if x}}</flat-profile>', 'dev.hbs': '', 'plain.hbs': '' } });
  t.throws(() => createProfileRenderer({ models, templatesDir: broken, env: env() }),
    { name: 'ValidationError', message: /template .*boot\.hbs does not compile/ });
  const missing = t.testdir({ devices: { 'boot.hbs': '', 'dev.hbs': '' } });
  t.throws(() => createProfileRenderer({ models, templatesDir: missing, env: env() }),
    { name: 'ValidationError', message: /model spa303: template .*plain\.hbs cannot be read/ });
  const badPartial = t.testdir({ devices: { 'boot.hbs': '', 'dev.hbs': '', 'plain.hbs': '', partials: { 'p.hbs': '{{/if}}' } } });
  t.throws(() => createProfileRenderer({ models, templatesDir: badPartial, env: env() }), { message: /partial .*p\.hbs does not compile/ });
});

t.test('a misspelt field fails loudly instead of emitting an empty value', async (t) => {
  const dir = t.testdir({ devices: { 'boot.hbs': '<Profile_Rule>{{profileRuel}}</Profile_Rule>', 'dev.hbs': '', 'plain.hbs': '' } });
  const r = createProfileRenderer({ models, templatesDir: dir, env: env() });
  t.throws(() => r.renderBootstrap('spa303'), /profileRuel/);
});
