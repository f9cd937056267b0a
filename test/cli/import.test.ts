import t from 'tap';
import { join } from 'node:path';
import { cli, withRepos } from './fixtures/run-cli.js';

const GOOD = `type,number,name,password,email,mac,model,lines,label,blf
extension,101,Recepcja,,recepcja@example.com,,,,,
device,,,,,00:11:22:33:44:aa,spa303,101,Reception,2:102:Anna;3:103
extension,102,Anna Nowak,,anna@example.com;biuro@example.com,,,,,
extension,103,"Żak, Łucja",Zmiana-To-Haslo9,,,,,,

device,,,,,0011.2233.44BB,spa112,102;103,"Back office, fax",
`;

t.test('imports a good file in one go; generated passwords printed once', async (t) => {
  const dir = t.testdir({ 'office.csv': GOOD });
  const dry = await cli(dir, ['import', 'office.csv', '--dry-run']);
  t.equal(dry.code, 0, dry.stderr);
  t.equal(dry.stdout, 'dry run: 3 extensions and 2 devices are valid; nothing was written\n');
  t.equal(withRepos(dir, (r) => r.extensions.list().length), 0, 'dry run writes nothing');

  const r = await cli(dir, ['import', join(dir, 'office.csv')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^imported 3 extensions and 2 devices\n/);
  t.match(r.stdout, /generated SIP passwords \(shown once, store them now\):/);
  const printed = Object.fromEntries([...r.stdout.matchAll(/^(10[123])\s+(\S{16,})$/gm)].map((m) => [m[1], m[2]]));
  t.same(Object.keys(printed).sort(), ['101', '102'], 'only generated passwords are printed');
  t.notMatch(r.stdout, /Zmiana-To-Haslo9/);
  withRepos(dir, (repos) => {
    t.equal(repos.extensions.get('101')!.sipPassword, printed['101']);
    t.equal(repos.extensions.get('103')!.sipPassword, 'Zmiana-To-Haslo9');
    t.equal(repos.extensions.get('103')!.displayName, 'Żak, Łucja');
    t.same(repos.extensions.get('102')!.emails, ['anna@example.com', 'biuro@example.com']);
    const spa303 = repos.devices.get('0011223344aa')!;
    t.same(spa303.lines, ['101'], 'device may reference an extension defined later in the file');
    t.same(spa303.functionKeys, [{ key: 2, kind: 'blf', target: '102', label: 'Anna' }, { key: 3, kind: 'blf', target: '103' }]);
    t.same(repos.devices.get('0011223344bb')!.lines, ['102', '103']);
    t.equal(repos.devices.get('0011223344bb')!.label, 'Back office, fax');
  });

  const again = await cli(dir, ['import', 'office.csv']);
  t.equal(again.code, 1, 'existing entries are conflicts without --update');
  t.match(again.stderr, /office.csv line 2: extension 101 already exists \(use --update/);
  t.match(again.stderr, /office.csv line 3: device 00:11:22:33:44:aa already exists/);
  t.match(again.stderr, /office.csv line 7: device 00:11:22:33:44:bb already exists/);
  t.match(again.stderr, /error: office.csv: 5 problem\(s\) found; nothing was written\n$/);
});

t.test('--update changes existing rows and keeps passwords left empty', async (t) => {
  const dir = t.testdir({
    'office.csv': GOOD,
    'update.csv': 'type,number,name,email,mac,model,lines,label,hook_flash_preset\nextension,101,Sekretariat,,,,,,\ndevice,,,,0011223344aa,spa303,101;102,Front desk,\ndevice,,,,0011223344bb,spa112,102,,europe-270ms\n',
  });
  t.equal((await cli(dir, ['import', 'office.csv'])).code, 0);
  const before = withRepos(dir, (r) => r.extensions.get('101')!.sipPassword);
  const r = await cli(dir, ['import', 'update.csv', '--update']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'imported 1 extension (1 updated) and 2 devices (2 updated)\n');
  withRepos(dir, (repos) => {
    const ext = repos.extensions.get('101')!;
    t.equal(ext.displayName, 'Sekretariat');
    t.equal(ext.sipPassword, before, 'password kept');
    t.same(ext.emails, []);
    const d = repos.devices.get('0011223344aa')!;
    t.same(d.lines, ['101', '102']);
    t.equal(d.label, 'Front desk');
    t.equal(repos.devices.get('0011223344bb')!.hookFlashPreset, 'europe-270ms');
    t.same(repos.devices.get('0011223344bb')!.lines, ['102']);
  });
});

t.test('every bad row is reported with its line number and nothing is written', async (t) => {
  const bad = `Type,Number,Name,Password,Email,MAC,Model,Lines,Label
extension,101,Recepcja,,,,,,
extension,1,No Number,,,,,,
extension,102,,,,,,,
extension,103,Weak,short,,,,,
extension,104,Mail,,not-an-email,,,,
device,,,,,00:11:zz,spa303,101,
extension,101,Twice,,,,,,
device,,,,,0011223344aa,spa999,101,
device,,,,,0011223344ab,spa112,101;101;101,
device,,,,,0011223344ac,spa303,150,
device,,,,,0011223344ad,spa303,101,
device,,,,,00:11:22:33:44:ad,spa303,101,
phone,,,,,,,,
extension,105,Too,,,,,,,extra
extension,106,Mixed,,,0011223344ae,,,
`;
  const dir = t.testdir({ 'bad.csv': bad });
  const r = await cli(dir, ['import', 'bad.csv']);
  t.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  const expected: [number, RegExp][] = [
    [3, /number "1" is not an extension number/],
    [4, /name "" is not allowed/],
    [5, /password is not allowed: expected 8–128/],
    [6, /email\[0\] "not-an-email" is not an e-mail address/],
    [7, /mac "00:11:zz" is not a MAC address \(accepted: 0011223344aa, 00:11:22:33:44:aa/],
    [8, /extension 101 is already defined on line 2/],
    [9, /model "spa999" is not known/],
    [10, /spa112 has 2 ports, but 3 lines were given/],
    [11, /lines: extension 150 does not exist and is not defined in this file/],
    [13, /device 00:11:22:33:44:ad is already defined on line 12/],
    [14, /type "phone" is not allowed: expected "extension" or "device"/],
    [15, /has 10 fields but the header has 9/],
    [16, /column\(s\) mac do not apply to extension rows/],
  ];
  for (const [line, message] of expected) {
    const found = lines.find((l) => l.startsWith(`bad.csv line ${line}: `));
    t.ok(found, `line ${line} reported`);
    t.match(found ?? '', message, `line ${line} reason`);
  }
  t.equal(lines.length, expected.length + 1, 'no other rows reported (line 2 and 12 are fine)');
  t.equal(lines.at(-1), `error: bad.csv: ${expected.length} problem(s) found; nothing was written`);
  withRepos(dir, (repos) => {
    t.same(repos.extensions.list(), [], 'no extension written');
    t.same(repos.devices.list(), [], 'no device written');
  });
});

t.test('header and file problems', async (t) => {
  const dir = t.testdir({
    'typo.csv': 'type,numbr,name\nextension,101,A\n',
    'notype.csv': 'number,name\n101,A\n',
    'empty.csv': '',
    'header-only.csv': 'type,number,name\n',
    'quote.csv': 'type,number,name\nextension,101,"Unclosed\n',
    'multiline.csv': 'type,number,name\nextension,101,"Two\nlines"\nextension,1,Bad\n',
  });
  const typo = await cli(dir, ['import', 'typo.csv']);
  t.equal(typo.code, 1);
  t.match(typo.stderr, /line 1: column 2 "numbr" is not known \(known columns: type, number, name/);
  t.match((await cli(dir, ['import', 'notype.csv'])).stderr, /no "type" column/);
  t.match((await cli(dir, ['import', 'empty.csv'])).stderr, /the file is empty/);
  t.match((await cli(dir, ['import', 'header-only.csv'])).stderr, /no rows to import/);
  const quote = await cli(dir, ['import', 'quote.csv']);
  t.equal(quote.code, 1);
  t.match(quote.stderr, /not valid CSV: Quote Not Closed/);
  const multi = await cli(dir, ['import', 'multiline.csv']);
  t.match(multi.stderr, /multiline.csv line 2: name "Two\\nlines" is not allowed/, 'a quoted newline is reported at its row start');
  t.match(multi.stderr, /multiline.csv line 4: number "1"/, 'line numbers count quoted newlines');
  const missing = await cli(dir, ['import', 'nope.csv']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /cannot read .*nope.csv: no such file/);
  t.equal((await cli(dir, ['import'])).code, 2, 'missing argument is a usage error');
});

t.test('--progress draws a bar on stderr', async (t) => {
  const dir = t.testdir({ 'office.csv': GOOD });
  const r = await cli(dir, ['import', 'office.csv', '--progress']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /importing \[.*\] 5\/5/);
  const quiet = t.testdir({ 'office.csv': GOOD });
  const q = await cli(quiet, ['import', 'office.csv']);
  t.equal(q.stderr, '', 'no bar when stderr is not a terminal');
});

t.test('the example in docs/csv-import.md imports cleanly', async (t) => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../docs/csv-import.md', import.meta.url), 'utf8');
  const example = /```csv\n([\s\S]*?)```/.exec(doc)?.[1];
  t.ok(example, 'doc has a csv example');
  const dir = t.testdir({ 'example.csv': example ?? '' });
  const r = await cli(dir, ['import', 'example.csv']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /imported 3 extensions and 2 devices/);
});
