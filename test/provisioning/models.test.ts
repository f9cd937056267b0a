import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { findRepoRoot, loadDeviceModels, matchUserAgent, modelForBootstrapFile } from '../../src/provisioning/models.js';

t.test('the shipped models load', async (t) => {
  const models = loadDeviceModels();
  t.same([...models.keys()].sort(), ['spa112', 'spa303']);
  const spa303 = models.get('spa303')!;
  t.equal(spa303.lines, 3);
  t.equal(spa303.lineKeys, 3);
  t.equal(spa303.kind, 'phone');
  t.same(spa303.bootstrapFiles, ['spa303.cfg']);
  t.equal(spa303.firmware.at(-1)!.file, 'spa50x-30x-7-6-2c.bin');
  t.notOk(spa303.hookFlash);
  const spa112 = models.get('spa112')!;
  t.equal(spa112.lines, 2);
  t.equal(spa112.lineKeys, 0);
  t.equal(spa112.kind, 'ata');
  t.same(spa112.hookFlash!.min, { min: 0.1, max: 0.4 });
  t.same(spa112.hookFlash!.max, { min: 0.4, max: 1.6 });
  t.same(spa112.hookFlash!.defaults, { min: 0.1, max: 0.9 });
  t.ok(spa112.hookFlash!.presets['europe-270ms']);
  t.equal(spa112.firmware.at(-1)!.file, 'spa112-1.4.1-SR5.bin');
});

t.test('user agents and bootstrap files identify the model', async (t) => {
  const models = loadDeviceModels();
  t.same(
    { ...matchUserAgent(models, 'Cisco/SPA303-7.6.2c (0011223344AA)(CCQ12345678)'), model: undefined },
    { model: undefined, firmware: '7.6.2c', mac: '0011223344aa' },
  );
  t.equal(matchUserAgent(models, 'Cisco/SPA303-7.6.2c (0011223344AA)(CCQ12345678)')!.model.id, 'spa303');
  const ata = matchUserAgent(models, 'Cisco/SPA112-1.4.1(SR5) (88755A123456)(CCQ1)')!;
  t.equal(ata.model.id, 'spa112');
  t.equal(ata.firmware, '1.4.1(SR5)');
  t.equal(ata.mac, '88755a123456');
  t.equal(matchUserAgent(models, 'Cisco/SPA112-1.4.1 SR5 (88755A123456)(CCQ1)')!.firmware, '1.4.1 SR5');
  t.same({ ...matchUserAgent(models, 'Cisco/SPA303-7.5.6a')!, model: 'x' }, { model: 'x', firmware: '7.5.6a', mac: null }, 'MAC may be absent');
  t.equal(matchUserAgent(models, 'Cisco/SPA504G-7.6.2c (0011223344AA)(X)'), undefined);
  t.equal(matchUserAgent(models, 'curl/8.0'), undefined);
  t.equal(modelForBootstrapFile(models, '/SPA112.cfg')!.id, 'spa112');
  t.equal(modelForBootstrapFile(models, 'spa303.cfg')!.id, 'spa303');
  t.equal(modelForBootstrapFile(models, 'spa504G.cfg'), undefined);
});

const valid = {
  id: 'spa999', name: 'Test', kind: 'phone', userAgentPatterns: ['^Test/'], bootstrapFiles: ['spa999.cfg'],
  lines: 1, lineKeys: 1, templates: { bootstrap: 'devices/bootstrap.xml.hbs', device: 'devices/spa303.xml.hbs' }, firmware: [],
};

function dirWith(t: Test, file: string, content: unknown) {
  return t.testdir({ [file]: typeof content === 'string' ? content : JSON.stringify(content) });
}

t.test('a valid minimal model loads, with the default without-secrets template', async (t) => {
  const models = loadDeviceModels(dirWith(t, 'spa999.json', valid));
  t.equal(models.get('spa999')!.templates.withoutSecrets, 'devices/without-secrets.xml.hbs');
});

t.test('invalid model files fail with the file and the field named', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['broken JSON', '{"id": ', /spa999\.json: not valid JSON/],
    ['id mismatch', { ...valid, id: 'other' }, /spa999\.json: field "id" is "other" but the file name says "spa999"/],
    ['bad kind', { ...valid, kind: 'fax' }, /spa999\.json: field "kind" must be "phone" or "ata"/],
    ['lines not integer', { ...valid, lines: 1.5 }, /field "lines" must be an integer from 1 to 12/],
    ['lines missing', { ...valid, lines: undefined }, /field "lines"/],
    ['bad regex', { ...valid, userAgentPatterns: ['(unclosed'] }, /field "userAgentPatterns\[0\]" is not a valid regular expression/],
    ['no bootstrap files', { ...valid, bootstrapFiles: [] }, /field "bootstrapFiles"/],
    ['template escapes', { ...valid, templates: { ...valid.templates, device: '../../etc/passwd' } }, /field "templates.device" must be a path inside templates/],
    ['firmware file path', { ...valid, firmware: [{ version: '1', file: '../x.bin' }] }, /field "firmware\[0\].file"/],
    ['firmware version missing', { ...valid, firmware: [{ file: 'x.bin' }] }, /field "firmware\[0\].version"/],
    ['hook flash preset out of range', {
      ...valid, hookFlash: { min: { min: 0.1, max: 0.4 }, max: { min: 0.4, max: 1.6 }, defaults: { min: 0.1, max: 0.9 },
        presets: { bad: { min: 0.05, max: 0.9, description: 'too short' } } },
    }, /field "hookFlash.presets.bad.min" 0\.05 is outside 0\.1–0\.4 s/],
    ['hook flash preset min >= max', {
      ...valid, hookFlash: { min: { min: 0.1, max: 0.4 }, max: { min: 0.4, max: 1.6 }, defaults: { min: 0.1, max: 0.9 },
        presets: { flat: { min: 0.4, max: 0.4, description: 'equal' } } },
    }, /field "hookFlash.presets.flat" min 0\.4 must be below max 0\.4/],
    ['hook flash preset without description', {
      ...valid, hookFlash: { min: { min: 0.1, max: 0.4 }, max: { min: 0.4, max: 1.6 }, defaults: { min: 0.1, max: 0.9 },
        presets: { x: { min: 0.1, max: 0.9 } } },
    }, /field "hookFlash.presets.x.description" must be a non-empty string/],
  ];
  for (const [label, content, message] of cases) {
    t.throws(() => loadDeviceModels(dirWith(t, 'spa999.json', content)), { name: 'ValidationError', message }, label);
  }
  t.throws(() => loadDeviceModels(t.testdir({ 'readme.txt': 'x' })), { message: /no device model files/ });
});

t.test('findRepoRoot walks up from src/ and from dist/src/', async (t) => {
  const root = findRepoRoot();
  t.equal(findRepoRoot(join(root, 'src', 'provisioning')), root);
  t.equal(findRepoRoot(join(root, 'dist', 'src', 'provisioning')), root, 'works for a path that only exists after tsc');
  // outside the repository (tap's testdir lives inside it, under .tap/)
  const elsewhere = mkdtempSync(join(tmpdir(), 'hf-root-'));
  t.teardown(() => rmSync(elsewhere, { recursive: true, force: true }));
  writeFileSync(join(elsewhere, 'package.json'), JSON.stringify({ name: 'not-us' }));
  mkdirSync(join(elsewhere, 'sub', 'deep'), { recursive: true });
  writeFileSync(join(elsewhere, 'sub', 'package.json'), '{broken');
  t.throws(() => findRepoRoot(join(elsewhere, 'sub', 'deep')), /cannot find the hookflash package\.json/);
});
