import t from 'tap';
import { cli } from './fixtures/run-cli.js';

async function setup(dir: string) {
  for (const ext of ['101', '102', '103']) {
    const r = await cli(dir, ['extension', 'add', ext, '--name', `Ext ${ext}`, '--password', `secret-Passw0rd-${ext}`]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const box = await cli(dir, ['mailbox', 'add', '500', '--name', 'Sales']);
  if (box.code !== 0) throw new Error(box.stderr);
}

t.test('queue add / set / list / status / remove', async (t) => {
  const dir = t.testdir();
  await setup(dir);
  const add = await cli(dir, ['queue', 'add', '30', '--name', 'Sales', '--member', '101,102', '--overflow', '500']);
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, 'queue 30 "Sales": ring-all, ring 15 s per agent, wrap-up 5 s, max wait 60 s then voicemail 500, position not announced, pl; agents: 101, 102\n');
  const add31 = await cli(dir, ['queue', 'add', '31', '--strategy', 'round-robin', '--max-wait', '120', '--announce', '30', '--overflow', 'queue:30', '--language', 'en']);
  t.equal(add31.code, 0, add31.stderr);
  t.match(add31.stdout, /queue 31 "Queue 31": round-robin, .* max wait 120 s then queue 30, position every 30 s, en; agents: none yet/);
  const set = await cli(dir, ['queue', 'set', '30', '--strategy', 'least-recent', '--wrap-up', '10', '--announce', 'off', '--overflow', 'extension:103']);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /least-recent, ring 15 s per agent, wrap-up 10 s, max wait 60 s then extension 103/);
  const list = await cli(dir, ['queue', 'list']);
  t.match(list.stdout, /NUMBER\s+NAME\s+STRATEGY\s+RING\s+WRAP-UP\s+MAX WAIT\s+ANNOUNCE\s+OVERFLOW\s+AGENTS/);
  t.match(list.stdout, /30\s+Sales\s+least-recent\s+15 s\s+10 s\s+60 s\s+off\s+extension 103\s+101, 102/);
  t.same(JSON.parse((await cli(dir, ['queue', 'list', '--json'])).stdout).map((q: { number: string }) => q.number), ['30', '31']);

  t.equal((await cli(dir, ['queue', 'member', 'add', '30', '103', '--order', '1'])).stdout, 'queue 30 agents: 103, 101, 102\n');
  t.equal((await cli(dir, ['queue', 'member', 'remove', '30', '101'])).stdout, 'queue 30 agents: 103, 102\n');
  t.equal((await cli(dir, ['queue', 'pause', '102'])).stdout, '102 paused in queue(s) 30\n');
  const status = await cli(dir, ['queue', 'status', '30']);
  t.match(status.stdout, /AGENT\s+ORDER\s+STATE\s+CALLS TAKEN\s+LAST CALL ENDED/);
  t.match(status.stdout, /103\s+1\s+available\s+0\s+-/);
  t.match(status.stdout, /102\s+2\s+paused\s+0\s+-/);
  t.equal((await cli(dir, ['queue', 'resume', '102', '--queue', '30'])).stdout, '102 resumed in queue(s) 30\n');

  const blocked = await cli(dir, ['queue', 'remove', '30']);
  t.equal(blocked.code, 1);
  t.match(blocked.stderr, /queue 30 is the overflow of queue\(s\) 31/);
  t.equal((await cli(dir, ['queue', 'remove', '31'])).stdout, 'queue 31 removed\n');
  t.equal((await cli(dir, ['queue', 'remove', '30'])).stdout, 'queue 30 removed\n');
});

t.test('queue: bad input is refused with the reason', async (t) => {
  const dir = t.testdir();
  await setup(dir);
  const clash = await cli(dir, ['queue', 'add', '101', '--overflow', '500']);
  t.equal(clash.code, 1);
  t.match(clash.stderr, /queue number 101 is already extension 101/);
  const member = await cli(dir, ['queue', 'add', '30', '--member', '101,109', '--overflow', '500']);
  t.match(member.stderr, /extension 109 does not exist/);
  const strategy = await cli(dir, ['queue', 'add', '30', '--strategy', 'random', '--overflow', '500']);
  t.equal(strategy.code, 2, 'an unknown strategy is a usage error');
  t.match(strategy.stderr, /ring-all, round-robin, least-recent, fewest-calls/);
  const noOverflow = await cli(dir, ['queue', 'add', '30']);
  t.match(noOverflow.stderr, /--overflow is required/);
  const seconds = await cli(dir, ['queue', 'add', '30', '--overflow', '500', '--max-wait', 'soon']);
  t.match(seconds.stderr, /--max-wait "soon" is not whole seconds/);
  t.match((await cli(dir, ['queue', 'pause', '103'])).stderr, /extension 103 is not an agent of any queue/);
  t.match((await cli(dir, ['queue', 'set', '39', '--name', 'X'])).stderr, /queue 39 does not exist/);
  const help = await cli(dir, ['queue', 'add', '--help']);
  t.match(help.stdout, /--overflow <dest>/);
  t.match(help.stdout, /hookflash queue add 30 --name Sales --member 101,102 --overflow 500/);
});
