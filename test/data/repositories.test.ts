import t, { type Test } from 'tap';
import { openRepositories } from '../../src/data/index.js';
import type { Repositories } from '../../src/data/types.js';
import { silentLogger } from '../../src/log.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';

function open(t: Test, limits?: { maxSightings?: number; maxProvisioningLog?: number }): Repositories {
  const repos = openRepositories({ dataDir: t.testdir(), logger: silentLogger(), limits });
  t.teardown(() => repos.close());
  return repos;
}
const PW = 'abcdEFGH1234';

t.test('extensions: CRUD', (t) => {
  const repos = open(t);
  const ext = repos.extensions.add({ number: '102', displayName: ' Łucja Żak ', sipPassword: PW, emails: ['lz@example.com', 'LZ@example.com'] });
  t.equal(ext.displayName, 'Łucja Żak', 'trimmed, non-ASCII kept');
  t.same(ext.emails, ['lz@example.com'], 'duplicate e-mails collapse');
  t.match(ext.createdAt, /^\d{4}-\d\d-\d\dT/);
  repos.extensions.add({ number: '10', displayName: 'Anna', sipPassword: PW });
  repos.extensions.add({ number: '21', displayName: 'Bob', sipPassword: PW });
  t.same(repos.extensions.list().map((e) => e.number), ['10', '21', '102'], 'numeric order');
  const updated = repos.extensions.update('10', { displayName: 'Anna Nowak', emails: ['a@example.pl'] });
  t.equal(updated.displayName, 'Anna Nowak');
  t.equal(updated.sipPassword, PW, 'untouched fields kept');
  t.same(repos.extensions.get('10')?.emails, ['a@example.pl']);
  t.equal(repos.extensions.remove('21'), true);
  t.equal(repos.extensions.remove('21'), false);
  t.equal(repos.extensions.get('21'), undefined);
  t.end();
});

t.test('extensions: validation and conflicts', (t) => {
  const repos = open(t);
  repos.extensions.add({ number: '10', displayName: 'Anna', sipPassword: PW });
  t.throws(() => repos.extensions.add({ number: '10', displayName: 'Again', sipPassword: PW }), ConflictError);
  for (const number of ['1', '12345', 'ab', '1 2', '']) {
    t.throws(() => repos.extensions.add({ number, displayName: 'X', sipPassword: PW }), { name: 'ValidationError', message: /extension number/ }, `number ${JSON.stringify(number)}`);
  }
  t.throws(() => repos.extensions.add({ number: '11', displayName: '  ', sipPassword: PW }), { message: /displayName/ });
  t.throws(() => repos.extensions.add({ number: '11', displayName: 'x'.repeat(65), sipPassword: PW }), ValidationError);
  t.throws(() => repos.extensions.add({ number: '11', displayName: 'X', sipPassword: 'short' }), { message: /sipPassword.*8/ });
  t.throws(() => repos.extensions.add({ number: '11', displayName: 'X', sipPassword: PW, emails: ['not-an-email'] }), { message: /"not-an-email" is not an e-mail/ });
  t.throws(() => repos.extensions.add({ number: '11', displayName: 'X', sipPassword: PW, emails: Array.from({ length: 21 }, (_, i) => `u${i}@example.com`) }), { message: /at most 20/ });
  t.throws(() => repos.extensions.update('99', { displayName: 'X' }), NotFoundError);
  t.equal(repos.extensions.list().length, 1, 'nothing half-written');
  t.end();
});

t.test('extensions: the dial plan has one owner per number; freeNumberFrom skips every owner', (t) => {
  const repos = open(t);
  repos.extensions.add({ number: '301', displayName: 'Anna', sipPassword: PW });
  repos.mailboxes.add({ box: '500', name: 'Biuro' });
  repos.queues.add({ number: '30', name: 'Sales', overflow: '500', members: ['301'] });
  repos.entryNumbers.save('303', {});
  t.throws(() => repos.extensions.add({ number: '30', displayName: 'X', sipPassword: PW }), { name: 'ConflictError', message: '30 is already queue 30 (Sales); pick another number' });
  t.throws(() => repos.extensions.add({ number: '303', displayName: 'X', sipPassword: PW }), { name: 'ConflictError', message: /already entry number 303/ });
  t.throws(() => repos.extensions.add({ number: '500', displayName: 'X', sipPassword: PW }), { name: 'ConflictError', message: /already department mailbox 500 \(Biuro\)/ });
  t.equal(repos.extensions.freeNumberFrom('301'), '302');
  repos.extensions.add({ number: '302', displayName: 'Bob', sipPassword: PW });
  t.equal(repos.extensions.freeNumberFrom('301'), '304', '302 is an extension, 303 an entry number');
  repos.extensions.add({ number: '99', displayName: 'Last', sipPassword: PW });
  t.equal(repos.extensions.freeNumberFrom('99'), undefined, 'two digits end at 99; nothing wraps into three');
  t.equal(repos.extensions.freeNumberFrom('98'), '98');
  t.throws(() => repos.extensions.freeNumberFrom('x'), ValidationError);
  t.end();
});

t.test('devices: add generates secrets, reads back lines and keys', (t) => {
  const repos = open(t);
  for (const n of ['10', '11', '12', '13']) repos.extensions.add({ number: n, displayName: `E${n}`, sipPassword: PW });
  const d = repos.devices.add({
    mac: '00:11:22:33:44:AA', model: 'spa303', label: 'Reception', lines: ['10', '11'],
    functionKeys: [{ key: 3, kind: 'blf', target: '12', label: 'Boss' }],
  });
  t.equal(d.mac, '0011223344aa');
  t.same(d.lines, ['10', '11']);
  t.same(d.functionKeys, [{ key: 3, kind: 'blf', target: '12', label: 'Boss' }]);
  t.ok(d.adminPassword.length >= 16, 'admin password 16+ chars');
  t.ok(d.provisioningToken.length >= 22, 'token >= 128 bits of base64url');
  t.match(d.provisioningToken, /^[A-Za-z0-9_-]+$/);
  t.equal(d.secretUrlConfirmed, false);
  const d2 = repos.devices.add({ mac: '0011223344bb', model: 'spa112', lines: ['13'], hookFlashMin: 0.1, hookFlashMax: 0.9 });
  t.not(d2.provisioningToken, d.provisioningToken);
  t.not(d2.adminPassword, d.adminPassword);
  t.equal(d2.hookFlashMax, 0.9);
  t.same(repos.devices.getByToken(d.provisioningToken)?.mac, d.mac);
  t.equal(repos.devices.getByToken('nope'), undefined);
  t.equal(repos.devices.get('00-11-22-33-44-aa')?.label, 'Reception', 'lookup accepts any MAC form');
  t.same(repos.devices.list().map((x) => [x.mac, x.lines]), [['0011223344aa', ['10', '11']], ['0011223344bb', ['13']]]);
  t.end();
});

t.test('devices: update, confirm, reopen, remove', (t) => {
  const repos = open(t);
  for (const n of ['10', '11']) repos.extensions.add({ number: n, displayName: `E${n}`, sipPassword: PW });
  const d = repos.devices.add({ mac: '0011223344aa', model: 'spa303', lines: ['10'] });
  const confirmed = repos.devices.update(d.mac, { secretUrlConfirmed: true, lines: ['11', '10'] });
  t.equal(confirmed.secretUrlConfirmed, true);
  t.same(confirmed.lines, ['11', '10']);
  t.equal(confirmed.provisioningToken, d.provisioningToken);
  const reopened = repos.devices.reopen(d.mac);
  t.equal(reopened.secretUrlConfirmed, false);
  t.equal(reopened.provisioningToken, d.provisioningToken, 'token kept on reopen');
  t.throws(() => repos.devices.reopen('0011223344ff'), NotFoundError);
  t.throws(() => repos.extensions.remove('10'), { name: 'ConflictError', message: /0011223344aa/ }, 'extension in use');
  t.equal(repos.devices.remove(d.mac), true);
  t.equal(repos.devices.remove(d.mac), false);
  t.equal(repos.extensions.remove('10'), true, 'removable once the device is gone');
  t.end();
});

t.test('devices: validation and conflicts', (t) => {
  const repos = open(t);
  repos.extensions.add({ number: '10', displayName: 'E', sipPassword: PW });
  repos.devices.add({ mac: '0011223344aa', model: 'spa303', lines: ['10'] });
  t.throws(() => repos.devices.add({ mac: '00:11:22:33:44:aa', model: 'spa303', lines: [] }), ConflictError);
  t.throws(() => repos.devices.add({ mac: 'zz', model: 'spa303', lines: [] }), { message: /"zz" is not a MAC address/ });
  t.throws(() => repos.devices.add({ mac: '0011223344bb', model: 'spa303', lines: ['10', '55'] }), { name: 'ValidationError', message: /^line 2: extension 55 does not exist/ });
  t.throws(() => repos.devices.add({ mac: '0011223344bb', model: 'Bad Model', lines: [] }), { message: /model/ });
  t.throws(() => repos.devices.add({ mac: '0011223344bb', model: 'spa303', lines: ['10'], functionKeys: [{ key: 1, kind: 'blf', target: '10' }] }), { message: /key 1 is already used by line 1/ });
  t.throws(() => repos.devices.add({ mac: '0011223344bb', model: 'spa112', lines: ['10'], hookFlashMin: 0.9, hookFlashMax: 0.1 }), { message: /min 0.9 s must be less than max/ });
  t.throws(() => repos.devices.add({ mac: '0011223344bb', model: 'spa112', lines: ['10'], hookFlashMin: 0.1 }), { message: /both min and max/ });
  t.equal(repos.devices.list().length, 1, 'no failed add left rows');
  t.end();
});

t.test('transaction: a failure rolls back every write', (t) => {
  const repos = open(t);
  t.throws(() =>
    repos.transaction(() => {
      repos.extensions.add({ number: '10', displayName: 'A', sipPassword: PW });
      repos.devices.add({ mac: '0011223344aa', model: 'spa303', lines: ['10'] });
      repos.extensions.add({ number: '10', displayName: 'dup', sipPassword: PW });
    }), ConflictError);
  t.same(repos.extensions.list(), []);
  t.same(repos.devices.list(), []);
  const n = repos.transaction(() => {
    repos.extensions.add({ number: '10', displayName: 'A', sipPassword: PW });
    return 1;
  });
  t.equal(n, 1);
  t.equal(repos.extensions.list().length, 1);
  t.end();
});

t.test('sightings: record, unassigned, bounded', (t) => {
  const repos = open(t, { maxSightings: 5 });
  repos.extensions.add({ number: '10', displayName: 'A', sipPassword: PW });
  repos.devices.add({ mac: '0011223344aa', model: 'spa303', lines: ['10'] });
  repos.sightings.record({ mac: '0011223344AA', model: 'spa303', firmware: '7.6.2c', ip: '127.0.0.1', userAgent: 'Cisco/SPA303', file: 'spa303.cfg', transport: 'tftp' });
  repos.sightings.record({ mac: 'garbage', model: null, firmware: null, ip: '127.0.0.1', userAgent: null, file: 'x', transport: 'http' });
  const s = repos.sightings.record({ mac: '0011223344bb', model: 'spa112', firmware: null, ip: '127.0.0.2', userAgent: 'x'.repeat(5000), file: 'spa112.cfg', transport: 'http' });
  t.equal(s.mac, '0011223344bb');
  t.ok(s.userAgent!.length <= 512, 'network text clipped');
  t.equal(repos.sightings.recent(10)[1]!.mac, null, 'garbage MAC stored as null');
  t.same(repos.sightings.unassigned(10).map((x) => x.mac), ['0011223344bb']);
  t.equal(repos.sightings.latestForMac('00:11:22:33:44:aa')?.firmware, '7.6.2c');
  for (let i = 0; i < 10; i++) repos.sightings.record({ mac: null, model: null, firmware: null, ip: '127.0.0.1', userAgent: null, file: `f${i}`, transport: 'http' });
  const recent = repos.sightings.recent(100);
  t.equal(recent.length, 5, 'pruned to the cap');
  t.equal(recent[0]!.file, 'f9', 'newest kept');
  t.end();
});

t.test('provisioning log, snapshots, reports, settings', (t) => {
  const repos = open(t, { maxProvisioningLog: 3 });
  for (let i = 0; i < 5; i++) repos.provisioningLog.append({ mac: '0011223344aa', file: `f${i}`, bodySha256: 'ab'.repeat(32), clientIp: '127.0.0.1', transport: 'http' });
  t.equal(repos.provisioningLog.recent(10).length, 3);
  t.equal(repos.provisioningLog.lastForMac('0011223344AA')?.file, 'f4');
  repos.servedSnapshots.save({ mac: '0011223344aa', params: { A: '1' }, at: '2026-01-01T00:00:00.000Z' });
  repos.servedSnapshots.save({ mac: '0011223344aa', params: { A: '2', B: 'x' }, at: '2026-01-02T00:00:00.000Z' });
  t.same(repos.servedSnapshots.get('0011223344aa'), { mac: '0011223344aa', params: { A: '2', B: 'x' }, at: '2026-01-02T00:00:00.000Z' });
  t.equal(repos.servedSnapshots.get('0011223344bb'), undefined);
  repos.reports.save({ mac: '0011223344aa', firmware: '7.6.2c', params: { A: '2' }, receivedAt: '2026-01-03T00:00:00.000Z' });
  t.equal(repos.reports.latest('0011223344aa')?.firmware, '7.6.2c');
  repos.settings.set('timezone', 'Europe/Warsaw');
  repos.settings.set('obj', { a: [1, 2] });
  t.equal(repos.settings.get<string>('timezone'), 'Europe/Warsaw');
  t.same(repos.settings.all(), { obj: { a: [1, 2] }, timezone: 'Europe/Warsaw' });
  repos.settings.set('obj', undefined);
  t.equal(repos.settings.get('obj'), undefined);
  t.end();
});
