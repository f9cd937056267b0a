/** Forwarding and entry-number storage, through the PBX stores that validate them. */
import t, { type Test } from 'tap';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';
import { createDirectory, createForwardingStore, createScheduleStore } from '../../src/pbx/stores.js';

const logger = silentLogger();

function open(t: Test) {
  const repos = openRepositories({ dataDir: t.testdir(), logger });
  t.teardown(() => repos.close());
  repos.extensions.add({ number: '102', displayName: 'Anna', sipPassword: 'secret-102' });
  return repos;
}

t.test('forwarding: set, read back, clear; validated on the way in', async (t) => {
  const repos = open(t);
  const store = createForwardingStore({ forwarding: repos.forwarding, logger });
  t.equal(store.getForwarding('102'), undefined);
  const rules = { busy: { kind: 'voicemail', box: '102' }, noAnswer: { after: 20, to: { kind: 'voicemail', box: '102' } } } as const;
  store.setForwarding('102', rules);
  t.same(store.getForwarding('102'), rules);
  t.throws(() => store.setForwarding('102', { noAnswer: { after: 1, to: { kind: 'hangup' } } }), { message: /noAnswer\.after must be whole seconds/ });
  t.same(store.getForwarding('102'), rules, 'a refused change keeps the old rules');
  t.throws(() => store.setForwarding('999', {}), { message: 'forwarding: extension 999 does not exist' });
  store.setForwarding('102', {});
  t.equal(repos.forwarding.get('102'), undefined, 'empty rules clear the row');
  t.throws(() => repos.forwarding.set('102', [] as unknown as Record<string, unknown>), { message: /expected an object/ });
});

t.test('a stored forwarding that no longer validates is ignored, not thrown into a call', async (t) => {
  const repos = open(t);
  repos.forwarding.set('102', { always: { kind: 'fax' } });
  t.equal(createForwardingStore({ forwarding: repos.forwarding, logger }).getForwarding('102'), undefined);
});

const entry = {
  number: '100',
  schedule: { name: 'office', weekly: { monday: ['08:00-16:00'] } },
  inHours: { kind: 'extension', number: '102' },
  afterHours: { kind: 'voicemail', box: '102' },
};

t.test('entry numbers: saved validated, read compiled, survive reopening', async (t) => {
  const dir = t.testdir();
  let repos = openRepositories({ dataDir: dir, logger });
  repos.extensions.add({ number: '102', displayName: 'Anna', sipPassword: 'secret-102' });
  const store = createScheduleStore({ entryNumbers: repos.entryNumbers, logger });
  store.saveEntry(entry);
  t.throws(() => store.saveEntry({ ...entry, number: '101', schedule: { name: 'x', weekly: { monday: ['25:00-26:00'] } } }), { message: /schedule "x"/ });
  t.throws(() => repos.entryNumbers.save('102', {}), { message: 'entry number 102 is already an extension' });
  t.throws(() => repos.entryNumbers.save('1', {}), { message: /not a number of 2–6 digits/ });
  repos.close();
  repos = openRepositories({ dataDir: dir, logger });
  t.teardown(() => repos.close());
  const read = createScheduleStore({ entryNumbers: repos.entryNumbers, logger }).getEntry('100')!;
  t.equal(read.number, '100');
  t.equal(read.schedule.name, 'office');
  t.same(read.inHours, { kind: 'extension', number: '102' });
  t.equal(createScheduleStore({ entryNumbers: repos.entryNumbers, logger }).getEntry('101'), undefined);
  t.same(repos.entryNumbers.list().map((e) => e.number), ['100']);
  t.equal(repos.entryNumbers.remove('100'), true);
});

t.test('directory: extensions and their mailboxes exist; queues not yet', async (t) => {
  const repos = open(t);
  const dir = createDirectory({ extensions: repos.extensions });
  t.ok(dir.isExtension('102'));
  t.notOk(dir.isExtension('103'));
  t.ok(dir.isMailbox('102'));
  t.notOk(dir.isQueue('102'));
});
