import t from 'tap';
import { cli } from './fixtures/run-cli.js';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';

function readRepos(dataDir: string) {
  return openRepositories({ dataDir, logger: silentLogger() });
}

t.test('extension add prints a generated password once; list never shows it', async (t) => {
  const dir = t.testdir();
  const add = await cli(dir, ['extension', 'add', '102', '--name', 'Łucja Żak', '--email', 'l@example.com', '--email', 'o@example.com']);
  t.equal(add.code, 0, add.stderr);
  const m = /SIP password for 102 \(shown once, store it now\): (\S+)/.exec(add.stdout);
  t.ok(m, 'password printed');
  const password = m![1]!;
  t.ok(password.length >= 16, 'generated password has 16+ characters');
  const repos = readRepos(dir);
  t.equal(repos.extensions.get('102')?.sipPassword, password, 'stored password is the printed one');
  t.same(repos.extensions.get('102')?.emails, ['l@example.com', 'o@example.com']);
  repos.close();

  const list = await cli(dir, ['extension', 'list']);
  t.equal(list.code, 0);
  t.match(list.stdout, /102\s+Łucja Żak\s+l@example.com, o@example.com/);
  t.notMatch(list.stdout, password, 'password not listed');
  const json = await cli(dir, ['extension', 'list', '--json']);
  t.same(JSON.parse(json.stdout).map((e: { number: string }) => e.number), ['102']);
  t.notMatch(json.stdout, password);
  t.notMatch(json.stdout, /sipPassword/);
});

t.test('extension add with --password prints no password; errors are one line, exit 1', async (t) => {
  const dir = t.testdir();
  const add = await cli(dir, ['extension', 'add', '10', '--name', 'Anna', '--password', 'given-Passw0rd']);
  t.equal(add.code, 0);
  t.notMatch(add.stdout, /given-Passw0rd|SIP password/);
  const dup = await cli(dir, ['extension', 'add', '10', '--name', 'Again']);
  t.equal(dup.code, 1);
  t.equal(dup.stderr, 'error: extension 10 already exists\n', 'one clear line, no stack');
  const bad = await cli(dir, ['extension', 'add', '1', '--name', 'X']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /number "1" is not an extension number \(expected 2–4 digits/);
  const weak = await cli(dir, ['extension', 'add', '11', '--name', 'X', '--password', 'short']);
  t.equal(weak.code, 1);
  t.notMatch(weak.stderr, /short/, 'the rejected password is not echoed');
  const usage = await cli(dir, ['extension', 'add', '12']);
  t.equal(usage.code, 2, 'missing --name is a usage error');
  t.match(usage.stderr, /required option '--name <name>' not specified/);
});

t.test('extension set: name, rotate password, emails; conflicting options', async (t) => {
  const dir = t.testdir();
  await cli(dir, ['extension', 'add', '10', '--name', 'Anna', '--password', 'first-Passw0rd', '--email', 'a@example.com']);
  const set = await cli(dir, ['extension', 'set', '10', '--name', 'Anna Nowak', '--rotate-password']);
  t.equal(set.code, 0, set.stderr);
  const pw = /SIP password for 10 \(shown once, store it now\): (\S+)/.exec(set.stdout)?.[1];
  t.ok(pw && pw.length >= 16);
  let repos = readRepos(dir);
  t.equal(repos.extensions.get('10')?.displayName, 'Anna Nowak');
  t.equal(repos.extensions.get('10')?.sipPassword, pw);
  t.same(repos.extensions.get('10')?.emails, ['a@example.com'], 'emails untouched');
  repos.close();
  t.equal((await cli(dir, ['extension', 'set', '10', '--clear-emails'])).code, 0);
  repos = readRepos(dir);
  t.same(repos.extensions.get('10')?.emails, []);
  repos.close();
  const both = await cli(dir, ['extension', 'set', '10', '--password', 'x-Passw0rd-x', '--rotate-password']);
  t.equal(both.code, 2);
  t.match(both.stderr, /cannot be used with/);
  const nothing = await cli(dir, ['extension', 'set', '10']);
  t.equal(nothing.code, 2);
  t.match(nothing.stderr, /nothing to change/);
  const missing = await cli(dir, ['extension', 'set', '99', '--name', 'X']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /extension 99 does not exist/);
});

t.test('extension remove', async (t) => {
  const dir = t.testdir();
  await cli(dir, ['extension', 'add', '10', '--name', 'Anna']);
  await cli(dir, ['device', 'add', '0011223344aa', '--model', 'spa303', '--line', '10']);
  const inUse = await cli(dir, ['extension', 'remove', '10']);
  t.equal(inUse.code, 1);
  t.match(inUse.stderr, /still a line on device\(s\) 0011223344aa/);
  await cli(dir, ['device', 'remove', '00:11:22:33:44:aa']);
  const ok = await cli(dir, ['extension', 'remove', '10']);
  t.equal(ok.code, 0);
  t.equal(ok.stdout, 'extension 10 removed\n');
  const again = await cli(dir, ['extension', 'remove', '10']);
  t.equal(again.code, 1);
  t.match(again.stderr, /extension 10 does not exist/);
});

t.test('help and usage exit codes', async (t) => {
  const dir = t.testdir();
  const help = await cli(dir, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: hookflash/);
  t.match(help.stdout, /Examples:/);
  for (const cmd of [['extension', 'add'], ['extension', 'set'], ['device', 'add'], ['device', 'render'], ['device', 'diff'], ['import'], ['serve']]) {
    const r = await cli(dir, [...cmd, '--help']);
    t.equal(r.code, 0, `${cmd.join(' ')} --help`);
    t.match(r.stdout, /Example/, `${cmd.join(' ')} --help has examples`);
  }
  const unknown = await cli(dir, ['frobnicate']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badConfig = await cli(dir, ['extension', 'list'], { env: { HOOKFLASH_HTTP_PORT: 'abc' } });
  t.equal(badConfig.code, 1);
  t.equal(badConfig.stderr, 'error: config: http.port = "abc" is not allowed: expected an integer 0–65535 (from env HOOKFLASH_HTTP_PORT)\n');
});

t.test('--data-dir wins over HOOKFLASH_DATA_DIR', async (t) => {
  const envDir = t.testdir();
  const other = `${envDir}/other`;
  await cli(envDir, ['--data-dir', other, 'extension', 'add', '10', '--name', 'A']);
  const inOther = await cli(envDir, ['--data-dir', other, 'extension', 'list', '--json']);
  t.equal(JSON.parse(inOther.stdout).length, 1);
  const inEnv = await cli(envDir, ['extension', 'list', '--json']);
  t.equal(JSON.parse(inEnv.stdout).length, 0);
});
