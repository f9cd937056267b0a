/**
 * `hookflash device add|set --department`: a line's extension joins a department (queue); a line
 * given as "new" gets a new extension numbered next to the department's agents; changing the
 * department moves it; a refused device leaves nothing behind.
 */
import t from 'tap';
import { cli, withRepos as look } from './fixtures/run-cli.js';


async function office(dir: string): Promise<void> {
  for (const args of [
    ['extension', 'add', '101', '--name', 'Anna'], ['extension', 'add', '102', '--name', 'Piotr'],
    ['extension', 'add', '202', '--name', 'Ewa'],
    ['queue', 'add', '30', '--name', 'Sales', '--member', '101,102', '--overflow', 'extension:101'],
    ['queue', 'add', '31', '--name', 'Support', '--overflow', 'extension:101'],
  ]) {
    const r = await cli(dir, args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
}

const agents = (dir: string, queue: string) => look(dir, (r) => r.queues.get(queue)!.members.map((m) => m.extension));

t.test('device add --department: new extension next to the agents, existing one joins', async (t) => {
  const dir = t.testdir();
  await office(dir);
  const r = await cli(dir, ['device', 'add', '0011223344cc', '--model', 'spa112', '--line', 'new,202', '--department', '30,31']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /device 00:11:22:33:44:cc added \(Cisco SPA112, ports: 103, 202\)/, 'Sales has 101 and 102: the new one is 103');
  t.match(r.stdout, /new extension 103 made for line 1, agent of department 30/);
  t.match(r.stdout, /extension 202 \(line 2\) is an agent of department 31/);
  t.notMatch(r.stdout, /[A-Za-z0-9]{16,}/, 'the generated SIP password is not printed');
  t.same(agents(dir, '30'), ['101', '102', '103']);
  t.same(agents(dir, '31'), ['202']);
  const created = look(dir, (repos) => repos.extensions.get('103'))!;
  t.equal(created.displayName, 'Sales');
  t.ok(created.sipPassword.length >= 16, 'a generated SIP password');

  const dash = await cli(dir, ['device', 'add', '0011223344cd', '--model', 'spa303', '--line', '101', '--department', '-']);
  t.equal(dash.code, 0, dash.stderr);
  t.same(agents(dir, '30'), ['101', '102', '103'], '"-" is no department: nothing changes');
});

t.test('device add --department: mistakes are named and nothing is half-written', async (t) => {
  const dir = t.testdir();
  await office(dir);
  const cases: [string[], RegExp][] = [
    [['--model', 'spa112', '--line', 'new'], /line 1 is "new" but has no department/],
    [['--model', 'spa112', '--line', '101', '--department', '30,31'], /--department has 2 entries for 1 line\(s\)/],
    [['--model', 'spa112', '--line', 'new', '--department', '39'], /department 39 does not exist/],
    // The new extension would be made, then the device refused (SPA112 has 2 ports): rolled back.
    [['--model', 'spa112', '--line', 'new,new,new', '--department', '31,31,31'], /spa112 has 2 ports, but 3 lines were given/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(dir, ['device', 'add', '0011223344ce', ...args]);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
  }
  t.equal(look(dir, (r) => r.devices.get('0011223344ce')), undefined, 'no device');
  t.same(look(dir, (r) => r.extensions.list().map((e) => e.number)), ['101', '102', '202'], 'no extension left behind');
  t.same(agents(dir, '31'), [], 'no membership left behind');
});

t.test('device set --department moves a line between departments; needs --line', async (t) => {
  const dir = t.testdir();
  await office(dir);
  t.equal((await cli(dir, ['device', 'add', '0011223344cf', '--model', 'spa112', '--line', '102'])).code, 0);
  const moved = await cli(dir, ['device', 'set', '0011223344cf', '--line', '102,new', '--department', '31,31']);
  t.equal(moved.code, 0, moved.stderr);
  t.match(moved.stdout, /updated \(lines: 102, 311\)/, 'an empty department numbers from <queue>1');
  t.same(agents(dir, '30'), ['101'], '102 left Sales, the department its line showed');
  t.same(agents(dir, '31'), ['102', '311']);
  const alone = await cli(dir, ['device', 'set', '0011223344cf', '--department', '30']);
  t.equal(alone.code, 1);
  t.match(alone.stderr, /--department goes with --line/);
  const help = await cli(dir, ['device', 'add', '--help']);
  t.match(help.stdout, /--department <queue,...>/);
  t.match(help.stdout, /--line new,202 --department 30,-/);
});
