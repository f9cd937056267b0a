import t from 'tap';
import { cli } from './fixtures/run-cli.js';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';
import { verifyPassword } from '../../src/web/passwords.js';

t.test('user add (no terminal): password generated, printed once, stored as scrypt; audited redacted', async (t) => {
  const dir = t.testdir();
  const add = await cli(dir, ['user', 'add', 'anna', '--role', 'admin']);
  t.equal(add.code, 0, add.stderr);
  const m = /password for anna \(shown once, store it now\): (\S+)/.exec(add.stdout);
  t.ok(m, 'password printed');
  const repos = openRepositories({ dataDir: dir, logger: silentLogger() });
  t.teardown(() => repos.close());
  const user = repos.users.getByName('anna')!;
  t.equal(user.role, 'admin');
  t.match(user.passwordHash, /^scrypt\$/);
  t.ok(await verifyPassword(m![1]!, user.passwordHash));
  t.notMatch(JSON.stringify(repos.audit.recent(5)), m![1]!);

  const list = await cli(dir, ['user', 'list']);
  t.match(list.stdout, /anna\s+admin/);
  t.notMatch(list.stdout, m![1]!);
});

t.test('user add: bad role is a usage error; duplicate name one clear line', async (t) => {
  const dir = t.testdir();
  const bad = await cli(dir, ['user', 'add', 'tech', '--role', 'root']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /Allowed choices are admin, installer/);
  t.equal((await cli(dir, ['user', 'add', 'tech', '--role', 'installer'])).code, 0);
  const dup = await cli(dir, ['user', 'add', 'TECH', '--role', 'installer']);
  t.equal(dup.code, 1);
  t.equal(dup.stderr, 'error: user TECH already exists\n');
});
