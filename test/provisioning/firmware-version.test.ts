import t from 'tap';
import { compareFirmwareVersions, isOlderFirmware } from '../../src/provisioning/firmware-version.js';

t.test('firmware versions order like Cisco releases', async (t) => {
  const ordered = ['7.5.5', '7.5.5a', '7.6.2', '7.6.2c', '7.6.10'];
  for (let i = 0; i < ordered.length - 1; i++) {
    t.ok(compareFirmwareVersions(ordered[i]!, ordered[i + 1]!) < 0, `${ordered[i]} < ${ordered[i + 1]}`);
    t.ok(compareFirmwareVersions(ordered[i + 1]!, ordered[i]!) > 0, `${ordered[i + 1]} > ${ordered[i]}`);
  }
  t.ok(isOlderFirmware('1.3.5p', '1.4.1(SR5)'));
  t.ok(isOlderFirmware('1.4.1', '1.4.1 SR5'));
  t.ok(isOlderFirmware('1.4.1(SR4)', '1.4.1(SR5)'));
  t.equal(compareFirmwareVersions('1.4.1(SR5)', '1.4.1 SR5'), 0);
  t.equal(compareFirmwareVersions('1.4.1-sr5', '1.4.1(SR5)'), 0);
  t.equal(compareFirmwareVersions('7.6.2C', '7.6.2c'), 0);
  t.notOk(isOlderFirmware('7.6.2c', '7.6.2c'));
  t.ok(isOlderFirmware('7.6.2c', '7.6.2.1'), 'a further number counts as newer than a letter suffix');
});
