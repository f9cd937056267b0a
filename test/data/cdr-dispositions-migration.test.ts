/** Migration 007: the cdr table rebuilt with the 'voicemail' and 'abandoned' dispositions, nothing lost. */
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openRepositories } from '../../src/data/index.js';
import { openDatabase } from '../../src/data/db.js';
import { migrations } from '../../src/data/migrations/index.js';
import { silentLogger } from '../../src/log.js';

const logger = silentLogger();
const before007 = migrations.filter((m) => m.version < 7);

/** A database at schema 6 with call records as the PBX wrote them before 007. */
function oldDatabase(file: string): void {
  const db = openDatabase({ file, logger, migrations: before007 });
  const insert = db.prepare(`INSERT INTO cdr (call_id, caller, callee, started_at, answered_at, ended_at, disposition, events)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  insert.run('a@x', '101', '102', '2026-11-20T10:00:00.000Z', '2026-11-20T10:00:05.000Z', '2026-11-20T10:02:00.000Z', 'answered',
    JSON.stringify([{ kind: 'transfer', type: 'blind', at: '2026-11-20T10:01:00.000Z' }]));
  insert.run('b@x', '103', '30', '2026-11-20T11:00:00.000Z', null, '2026-11-20T11:00:20.000Z', 'busy', '[]');
  insert.run('c@x', '104', '102', '2026-11-20T12:00:00.000Z', null, null, null, '[]');   // in progress at the upgrade
  insert.run('d@x', '105', '106', '2026-11-20T13:00:00.000Z', null, '2026-11-20T13:00:01.000Z', 'failed', '[]');
  // The newest row was deleted: its id must not be handed out again after the rebuild.
  db.prepare("DELETE FROM cdr WHERE call_id = 'd@x'").run();
  db.close();
}

const allRows = (db: Database.Database) => db.prepare('SELECT * FROM cdr ORDER BY id').all();

t.test('every row and column survives; new values are accepted, junk is refused', async (t) => {
  const file = join(t.testdir(), 'old.sqlite');
  oldDatabase(file);
  const raw = new Database(file);
  const rowsBefore = allRows(raw);
  raw.close();
  t.equal(rowsBefore.length, 3, 'three rows before the upgrade');

  const db = openDatabase({ file, logger });
  t.equal(db.pragma('user_version', { simple: true }), 7, 'migrated to 7');
  t.same(allRows(db), rowsBefore, 'ids, times, dispositions, events and the open row are unchanged');
  const indexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cdr' AND sql IS NOT NULL ORDER BY name").all();
  t.same(indexes.map((i) => i.name), ['cdr_callee', 'cdr_caller', 'cdr_started'], 'the indexes are back');
  t.same(db.pragma('foreign_key_check'), [], 'no broken foreign keys');
  t.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'cdr_new'").get(), undefined, 'no leftover table');
  const insert = db.prepare("INSERT INTO cdr (call_id, caller, callee, started_at, disposition) VALUES ('e@x', '101', '30', '2026-11-21T09:00:00.000Z', ?)");
  t.throws(() => insert.run('lost'), /CHECK constraint failed/, 'a disposition outside the list is refused');
  t.throws(() => insert.run('Voicemail'), /CHECK constraint failed/, 'the check is exact');
  db.close();

  const repos = openRepositories({ file, logger });
  t.teardown(() => repos.close());
  const open = repos.cdr.list({ disposition: undefined }).find((r) => r.callId === 'c@x')!;
  repos.cdr.end(open.id, 'voicemail');
  const queued = repos.cdr.start({ callId: 'f@x', caller: '107', callee: '30' });
  t.ok(queued.id > 4, `the id of the deleted row is not reused (got ${queued.id})`);
  repos.cdr.end(queued.id, 'abandoned');
  t.same(repos.cdr.list({ disposition: 'voicemail' }).map((r) => r.callId), ['c@x']);
  t.same(repos.cdr.list({ disposition: 'abandoned' }).map((r) => r.callId), ['f@x']);
  t.same(repos.cdr.list({ disposition: 'answered' })[0]?.events, [{ kind: 'transfer', type: 'blind', at: '2026-11-20T10:01:00.000Z' }]);
  t.throws(() => repos.cdr.end(queued.id, 'lost' as 'busy'), { message: /disposition "lost" is not one of answered, voicemail, abandoned/ });
});

t.test('a new database gets the wide constraint directly', async (t) => {
  const repos = openRepositories({ dataDir: t.testdir(), logger });
  t.teardown(() => repos.close());
  const call = repos.cdr.start({ callId: 'g@x', caller: '101', callee: '500' });
  repos.cdr.end(call.id, 'voicemail');
  t.equal(repos.cdr.get(call.id)?.disposition, 'voicemail');
});
