import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './fixtures/run-cli.js';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';
import { createScheduleStore } from '../../src/pbx/stores.js';
import { isOpen } from '../../src/pbx/rules/schedule.js';

function readRepos(dataDir: string) {
  return openRepositories({ dataDir, logger: silentLogger() });
}

async function withExtensions(dir: string, numbers: string[]): Promise<void> {
  for (const n of numbers) {
    const r = await cli(dir, ['extension', 'add', n, '--name', `Ext ${n}`, '--password', `secret-${n}-pw`]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
}

t.test('forward set / show / clear round-trip through the store the PBX reads', async (t) => {
  const dir = t.testdir();
  await withExtensions(dir, ['102', '103']);
  const set = await cli(dir, ['forward', 'set', '102', '--busy', 'voicemail:102', '--no-answer', 'ext:103', '--after', '20']);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /busy\s+→ voicemail:102 \(voicemail 102\)/);
  t.match(set.stdout, /no answer\s+→ ext:103 \(extension 103\) after 20 s/);
  let repos = readRepos(dir);
  t.same(repos.forwarding.get('102'), {
    busy: { kind: 'voicemail', box: '102' },
    noAnswer: { after: 20, to: { kind: 'extension', number: '103' } },
  });
  repos.close();

  // Another set keeps what is there; a bare number means an extension.
  t.equal((await cli(dir, ['forward', 'set', '102', '--unavailable', '103', '--always', 'queue:30'])).code, 0);
  const show = await cli(dir, ['forward', 'show', '102']);
  t.equal(show.code, 0);
  t.equal(show.stdout, [
    'extension 102:',
    '  always       → queue:30 (queue 30)',
    '  busy         → voicemail:102 (voicemail 102)',
    '  no answer    → ext:103 (extension 103) after 20 s',
    '  unavailable  → ext:103 (extension 103)',
    '',
  ].join('\n'));
  const json = JSON.parse((await cli(dir, ['forward', 'show', '102', '--json'])).stdout);
  t.same(Object.keys(json).sort(), ['always', 'busy', 'noAnswer', 'unavailable']);

  const partial = await cli(dir, ['forward', 'clear', '102', '--always', '--no-answer']);
  t.equal(partial.code, 0, partial.stderr);
  repos = readRepos(dir);
  t.same(Object.keys(repos.forwarding.get('102') ?? {}).sort(), ['busy', 'unavailable'], 'only the named conditions removed');
  repos.close();
  const all = await cli(dir, ['forward', 'clear', '102']);
  t.equal(all.stdout, 'forwarding of 102 cleared\n');
  repos = readRepos(dir);
  t.equal(repos.forwarding.get('102'), undefined, 'nothing stored');
  repos.close();
  t.equal((await cli(dir, ['forward', 'show', '102'])).stdout, 'extension 102: no forwarding\n');
  t.equal((await cli(dir, ['forward', 'set', '102', '--busy', 'hangup'])).code, 0);
  t.match((await cli(dir, ['forward', 'show', '102'])).stdout, /busy\s+→ hangup \(hang up\)/);
});

t.test('forward: bad input is one clear line naming the option; nothing is written', async (t) => {
  const dir = t.testdir();
  await withExtensions(dir, ['102', '103']);
  const cases: Array<[string[], number, RegExp]> = [
    [['forward', 'set', '102', '--busy', 'mailbox:1'], 1, /^error: --busy: destination "mailbox:1" is not one of ext:102, queue:30, voicemail:102, hangup, or a bare extension number\n$/],
    [['forward', 'set', '102', '--busy', 'ext:1'], 1, /^error: --busy "ext:1": number "1" is not a number of 2–6 digits\n$/],
    [['forward', 'set', '102', '--always', 'ext:109'], 1, /^error: --always: extension 109 does not exist/],
    [['forward', 'set', '102', '--always', '102'], 1, /^error: --always: extension 102 cannot forward to itself\n$/],
    [['forward', 'set', '102', '--no-answer', 'ext:103', '--after', '3'], 1, /^error: --after: must be whole seconds from 5 to 300, got 3\n$/],
    [['forward', 'set', '102', '--no-answer', 'ext:103', '--after', 'soon'], 1, /^error: --after: "soon" is not whole seconds\n$/],
    [['forward', 'set', '102', '--no-answer', 'ext:103'], 2, /--no-answer needs --after/],
    [['forward', 'set', '102', '--after', '20'], 2, /--after applies to --no-answer/],
    [['forward', 'set', '102'], 2, /nothing to set/],
    [['forward', 'set', '999', '--busy', 'ext:103'], 1, /^error: extension 999 does not exist\n$/],
    [['forward', 'show', '999'], 1, /^error: extension 999 does not exist\n$/],
    [['forward', 'set', '102', '--busy'], 2, /option '--busy <dest>' argument missing/],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await cli(dir, args);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, stderr, args.join(' '));
  }
  const repos = readRepos(dir);
  t.equal(repos.forwarding.get('102'), undefined, 'no rule was stored by the failed commands');
  repos.close();
});

t.test('entry add / list / show / remove; the PBX store compiles what was saved', async (t) => {
  const dir = t.testdir();
  await withExtensions(dir, ['102', '103']);
  const add = await cli(dir, [
    'entry', 'add', '20', '--in-hours', 'ext:102', '--after-hours', 'voicemail:103', '--timezone', 'Europe/Warsaw',
    '--hours', 'mon-fri 08:00-12:00,13:00-16:00', '--hours', 'sat 09:00-13:00', '--holiday', '2026-12-24', '--holiday', '12-25',
    '--holiday', '2026-12-31 08:00-12:00', '--name', 'office',
  ]);
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, 'entry number 20 saved: mon-fri 08:00-12:00,13:00-16:00; sat 09:00-13:00 (Europe/Warsaw) → ext:102, otherwise → voicemail:103\n');

  const repos = readRepos(dir);
  const entry = createScheduleStore({ entryNumbers: repos.entryNumbers, logger: silentLogger() }).getEntry('20');
  repos.close();
  t.ok(entry, 'the PBX store reads the entry back');
  t.same(entry!.inHours, { kind: 'extension', number: '102' });
  t.same(entry!.afterHours, { kind: 'voicemail', box: '103' });
  t.equal(isOpen(entry!.schedule, Date.parse('2026-11-23T09:00:00Z')), true, 'Monday 10:00 Warsaw: open');
  t.equal(isOpen(entry!.schedule, Date.parse('2026-11-23T11:30:00Z')), false, 'Monday 12:30 Warsaw: lunch, closed');
  t.equal(isOpen(entry!.schedule, Date.parse('2026-11-28T09:00:00Z')), true, 'Saturday 10:00: open');
  t.equal(isOpen(entry!.schedule, Date.parse('2026-11-29T09:00:00Z')), false, 'Sunday: closed');
  t.equal(isOpen(entry!.schedule, Date.parse('2026-12-24T09:00:00Z')), false, 'Christmas Eve 2026: holiday');
  t.equal(isOpen(entry!.schedule, Date.parse('2027-12-24T09:00:00Z')), true, 'Christmas Eve 2027 (a Friday): dated holiday was one year only');
  t.equal(isOpen(entry!.schedule, Date.parse('2027-12-25T09:00:00Z')), false, '25 December: every year');
  t.equal(isOpen(entry!.schedule, Date.parse('2026-12-31T10:00:00Z')), true, '31 December 11:00: short day, open');
  t.equal(isOpen(entry!.schedule, Date.parse('2026-12-31T12:00:00Z')), false, '31 December 13:00: short day, closed');

  const list = await cli(dir, ['entry', 'list']);
  t.equal(list.code, 0);
  t.match(list.stdout, /^NUMBER\s+NAME\s+TIMEZONE\s+HOURS\s+IN HOURS\s+AFTER HOURS\n20\s+office\s+Europe\/Warsaw\s+mon-fri 08:00-12:00,13:00-16:00; sat 09:00-13:00\s+ext:102\s+voicemail:103\n$/);
  const listJson = JSON.parse((await cli(dir, ['entry', 'list', '--json'])).stdout);
  t.match(listJson, [{ number: '20', holidays: ['2026-12-24', '12-25', '2026-12-31 08:00-12:00'] }]);

  const show = await cli(dir, ['entry', 'show', '20']);
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, /entry number 20 \(office\)\n {2}hours {8}mon-fri .* \(Europe\/Warsaw\)\n {2}holidays {5}2026-12-24; 12-25; 2026-12-31 08:00-12:00\n/);
  t.match(show.stdout, /in hours {5}→ ext:102 \(extension 102\)/);
  t.match(show.stdout, /now {10}(open|closed), (opens|closes) \d{4}-/);
  const shown = JSON.parse((await cli(dir, ['entry', 'show', '20', '--json'])).stdout);
  t.equal(typeof shown.openNow, 'boolean');

  const again = await cli(dir, ['entry', 'add', '20', '--in-hours', '103', '--after-hours', 'hangup', '--hours', 'mon 08:00-09:00']);
  t.equal(again.code, 1);
  t.match(again.stderr, /entry number 20 already exists \(add --replace/);
  const replaced = await cli(dir, ['entry', 'add', '20', '--in-hours', '103', '--after-hours', 'hangup', '--hours', 'fri-mon 22:00-06:00', '--replace']);
  t.equal(replaced.code, 0, replaced.stderr);
  t.match(replaced.stdout, /mon 22:00-06:00; fri-sun 22:00-06:00 \(Europe\/Warsaw\) → ext:103, otherwise → hangup/, 'a wrapping day range');

  t.equal((await cli(dir, ['entry', 'remove', '20'])).stdout, 'entry number 20 removed\n');
  const gone = await cli(dir, ['entry', 'remove', '20']);
  t.equal(gone.code, 1);
  t.equal(gone.stderr, 'error: entry number 20 does not exist\n');
  t.match((await cli(dir, ['entry', 'list'])).stdout, /^no entry numbers/);
  t.equal((await cli(dir, ['entry', 'show', '20'])).code, 1);
});

t.test('entry add: each bad argument is named; nothing is saved', async (t) => {
  const dir = t.testdir();
  await withExtensions(dir, ['102', '103']);
  const base = ['--in-hours', 'ext:102', '--after-hours', 'ext:103'];
  const cases: Array<[string[], number, RegExp]> = [
    [['entry', 'add', '20', ...base, '--hours', 'mon-fri 08:00-25:00'], 1, /^error: --hours "mon-fri 08:00-25:00": monday interval "08:00-25:00" is not HH:MM-HH:MM\n$/],
    [['entry', 'add', '20', ...base, '--hours', 'mon-fry 08:00-16:00'], 1, /^error: --hours "mon-fry 08:00-16:00": unknown day "fry" \(use sun, mon, tue, wed, thu, fri, sat\)\n$/],
    [['entry', 'add', '20', ...base, '--hours', '08:00-16:00'], 1, /^error: --hours "08:00-16:00": expected "DAYS HH:MM-HH:MM"/],
    [['entry', 'add', '20', ...base, '--hours', 'mon 08:00-08:00'], 1, /--hours "mon 08:00-08:00": .*is empty/],
    [['entry', 'add', '20', ...base, '--hours', 'mon 08:00-16:00', '--holiday', '2026-02-30'], 1, /^error: --holiday "2026-02-30": .*date "2026-02-30" is not a real date/],
    [['entry', 'add', '20', ...base, '--hours', 'mon 08:00-16:00', '--holiday', '12-25', '--holiday', '12-25'], 1, /holiday 12-25 is listed twice/],
    [['entry', 'add', '20', ...base, '--hours', 'mon 08:00-16:00', '--timezone', 'Mars/Olympus'], 1, /^error: --timezone: "Mars\/Olympus" is not a known IANA time zone/],
    [['entry', 'add', '20', '--in-hours', 'ext:109', '--after-hours', 'ext:103', '--hours', 'mon 08:00-16:00'], 1, /^error: --in-hours: extension 109 does not exist/],
    [['entry', 'add', '20', '--in-hours', 'ext:102', '--after-hours', 'later', '--hours', 'mon 08:00-16:00'], 1, /^error: --after-hours: destination "later" is not one of/],
    [['entry', 'add', '2', ...base, '--hours', 'mon 08:00-16:00'], 1, /^error: entry number: number "2" is not a number of 2–6 digits\n$/],
    [['entry', 'add', '102', ...base, '--hours', 'mon 08:00-16:00'], 1, /^error: entry number 102 is already an extension\n$/],
    [['entry', 'add', '20', ...base], 2, /required option '--hours <spec>' not specified/],
    [['entry', 'add', '20', '--in-hours', 'ext:102', '--hours', 'mon 08:00-16:00'], 2, /required option '--after-hours <dest>' not specified/],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await cli(dir, args);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, stderr, args.join(' '));
  }
  const repos = readRepos(dir);
  t.same(repos.entryNumbers.list(), [], 'nothing saved');
  repos.close();
});

t.test('--help of every routing command has examples', async (t) => {
  const dir = t.testdir();
  for (const cmd of [['forward', 'set'], ['forward', 'clear'], ['forward', 'show'], ['entry', 'add'], ['entry', 'list'], ['entry', 'show'], ['entry', 'remove']]) {
    const r = await cli(dir, [...cmd, '--help']);
    t.equal(r.code, 0, `${cmd.join(' ')} --help`);
    t.match(r.stdout, /Example/, `${cmd.join(' ')} --help has examples`);
  }
  t.match((await cli(dir, ['forward', 'set', '--help'])).stdout, /--no-answer <dest>/);
  t.match((await cli(dir, ['--help'])).stdout, /forward.*\n[\s\S]*entry/);
});

t.test('as a process: the real entry point sets forwarding and an entry number', async (t) => {
  const dir = t.testdir();
  await withExtensions(dir, ['102', '103']);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const run = (args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), ...args], {
      cwd: root, env: { ...process.env, HOOKFLASH_DATA_DIR: dir, HOOKFLASH_PUBLIC_HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
  const fwd = await run(['forward', 'set', '102', '--no-answer', 'voicemail:102', '--after', '15']);
  t.equal(fwd.code, 0, fwd.stderr);
  t.match(fwd.stdout, /no answer\s+→ voicemail:102 \(voicemail 102\) after 15 s/);
  const bad = await run(['entry', 'add', '20', '--in-hours', 'ext:102', '--after-hours', 'ext:103', '--hours', 'mon-fri 8-16']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^error: --hours "mon-fri 8-16": monday interval "8-16" is not HH:MM-HH:MM\n$/);
});
