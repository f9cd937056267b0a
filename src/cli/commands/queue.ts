import { Option, type Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { QUEUE_STRATEGIES, type NewQueue, type Queue, type QueuePatch, type QueueLanguage, type QueueStrategy } from '../../data/queue-types.js';
import { describeOverflow } from '../../data/repositories/queues.js';
import { formatTable, type CliContext } from '../context.js';

interface QueueOpts {
  name?: string; strategy?: QueueStrategy; ringTimeout?: string; wrapUp?: string; maxWait?: string;
  announce?: string; language?: QueueLanguage; overflow?: string; member?: string;
}

function seconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new ValidationError(`${option} "${value}" is not whole seconds`, option);
  return Number(value);
}

/** Options shared by add and set → repository fields (the repository checks the ranges). */
function patchFrom(opts: QueueOpts): QueuePatch {
  const announce = opts.announce === undefined ? undefined : opts.announce === 'off' ? null : seconds(opts.announce, '--announce');
  const patch: QueuePatch = {};
  if (opts.name !== undefined) patch.name = opts.name;
  if (opts.strategy !== undefined) patch.strategy = opts.strategy;
  const ring = seconds(opts.ringTimeout, '--ring-timeout');
  if (ring !== undefined) patch.ringTimeoutS = ring;
  const wrap = seconds(opts.wrapUp, '--wrap-up');
  if (wrap !== undefined) patch.wrapUpS = wrap;
  const wait = seconds(opts.maxWait, '--max-wait');
  if (wait !== undefined) patch.maxWaitS = wait;
  if (announce !== undefined) patch.announcePositionS = announce;
  if (opts.language !== undefined) patch.language = opts.language;
  if (opts.overflow !== undefined) patch.overflow = opts.overflow;
  return patch;
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function describe(q: Queue): string {
  return `queue ${q.number} "${q.name}": ${q.strategy}, ring ${q.ringTimeoutS} s per agent, wrap-up ${q.wrapUpS} s, ` +
    `max wait ${q.maxWaitS} s then ${describeOverflow(q.overflow)}, position ${q.announcePositionS === null ? 'not announced' : `every ${q.announcePositionS} s`}, ${q.language}`;
}

function withSettings(cmd: Command, defaults: boolean): Command {
  return cmd
    .option('--name <name>', 'name shown in the admin UI, 1–64 characters')
    .addOption(new Option('--strategy <strategy>', 'how agents are rung').choices([...QUEUE_STRATEGIES]))
    .option('--ring-timeout <s>', `seconds each agent (or each ring-all round) rings${defaults ? ' (default 15)' : ''}`)
    .option('--wrap-up <s>', `seconds an agent rests after a queue call${defaults ? ' (default 5)' : ''}`)
    .option('--max-wait <s>', `seconds a caller waits before the overflow${defaults ? ' (default 60)' : ''}`)
    .option('--announce <s|off>', `announce the caller's position every N seconds (10–600), or "off"${defaults ? ' (default off)' : ''}`)
    .addOption(new Option('--language <lang>', 'language of the prompts').choices(['pl', 'en']))
    .option('--overflow <dest>', 'where callers go after the max wait or when no agent can take calls: a voicemail box ("500" or "voicemail:500"), "extension:101" or "queue:31"');
}

export function registerQueueCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command('queue')
    .description('manage call queues, their agents and agent pauses')
    .addHelpText('after', `
Strategies: ring-all (every free agent at once), round-robin (next agent in turn),
least-recent (the agent idle longest), fewest-calls (the agent with the fewest calls).
Busy, ringing, paused and wrapping-up agents are skipped. Agents pause with *46 and resume
with *47 on their phone, or with "hookflash queue pause|resume".`);

  withSettings(group.command('add <number>').description('add a queue (2–6 digits, not an extension, mailbox or entry number)'), true)
    .option('--member <exts>', 'agents in order, comma separated (e.g. 101,102)')
    .addHelpText('after', `
Examples:
  hookflash queue add 30 --name Sales --member 101,102 --overflow 500
  hookflash queue add 31 --name Support --strategy round-robin --max-wait 120 --announce 30 --overflow queue:30`)
    .action((number: string, opts: QueueOpts) => {
      if (opts.overflow === undefined) throw new ValidationError('--overflow is required: a voicemail box (e.g. 500), extension:101 or queue:31', '--overflow');
      const input: NewQueue = { number, ...patchFrom(opts), overflow: opts.overflow, members: opts.member ? opts.member.split(',').map((m) => m.trim()).filter(Boolean) : [] };
      const q = ctx.repos().queues.add(input);
      ctx.out(`${describe(q)}; agents: ${q.members.map((m) => m.extension).join(', ') || 'none yet (hookflash queue member add)'}`);
    });

  withSettings(group.command('set <number>').description('change settings of a queue'), false)
    .addHelpText('after', '\nExample:\n  hookflash queue set 30 --strategy least-recent --wrap-up 10 --announce off')
    .action((number: string, opts: QueueOpts) => {
      const patch = patchFrom(opts);
      if (Object.keys(patch).length === 0) throw new ValidationError('nothing to change: give at least one option (see hookflash queue set --help)');
      ctx.out(describe(ctx.repos().queues.update(number, patch)));
    });

  group
    .command('list')
    .description('list queues')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const queues = ctx.repos().queues.list();
      if (opts.json) {
        ctx.out(JSON.stringify(queues, null, 2));
        return;
      }
      if (queues.length === 0) {
        ctx.out('no queues (add one: hookflash queue add 30 --name Sales --member 101,102 --overflow 500)');
        return;
      }
      ctx.out(formatTable(
        ['NUMBER', 'NAME', 'STRATEGY', 'RING', 'WRAP-UP', 'MAX WAIT', 'ANNOUNCE', 'OVERFLOW', 'AGENTS'],
        queues.map((q) => [q.number, q.name, q.strategy, `${q.ringTimeoutS} s`, `${q.wrapUpS} s`, `${q.maxWaitS} s`,
          q.announcePositionS === null ? 'off' : `${q.announcePositionS} s`, describeOverflow(q.overflow),
          q.members.map((m) => (m.paused ? `${m.extension} (paused)` : m.extension)).join(', ') || '-']),
      ));
    });

  group
    .command('remove <number>')
    .description('remove a queue (refused while another queue overflows to it)')
    .action((number: string) => {
      if (!ctx.repos().queues.remove(number)) throw new ValidationError(`queue ${number} does not exist`, 'number');
      ctx.out(`queue ${number} removed`);
    });

  group
    .command('status [number]')
    .description('agents of one queue or all: paused or not, calls taken, last call ended (live waiting callers: admin UI)')
    .option('--json', 'print JSON instead of a table')
    .action((number: string | undefined, opts: { json?: boolean }) => {
      const repos = ctx.repos();
      const queues = number === undefined ? repos.queues.list() : [repos.queues.get(number)].filter((q): q is Queue => q !== undefined);
      if (number !== undefined && queues.length === 0) throw new ValidationError(`queue ${number} does not exist`, 'number');
      if (opts.json) {
        ctx.out(JSON.stringify(queues.map((q) => ({ number: q.number, name: q.name, agents: q.members })), null, 2));
        return;
      }
      for (const q of queues) {
        ctx.out(describe(q));
        ctx.out(q.members.length === 0 ? '  no agents' : formatTable(
          ['AGENT', 'ORDER', 'STATE', 'CALLS TAKEN', 'LAST CALL ENDED'],
          q.members.map((m) => [m.extension, String(m.order), m.paused ? 'paused' : 'available', String(m.callsTaken), when(m.lastCallEndedAt)]),
        ));
      }
    });

  const member = group.command('member').description('add or remove queue agents');
  member
    .command('add <queue> <extension>')
    .description('add an agent (or move an existing one) to a queue')
    .option('--order <n>', 'position in the queue, from 1 (default: last)')
    .addHelpText('after', '\nExample:\n  hookflash queue member add 30 103 --order 1')
    .action((queue: string, extension: string, opts: { order?: string }) => {
      const order = opts.order === undefined ? undefined : Number(opts.order);
      if (order !== undefined && !Number.isInteger(order)) throw new ValidationError(`--order "${opts.order}" is not a position`, '--order');
      const q = ctx.repos().queues.addMember(queue, extension, order);
      ctx.out(`queue ${q.number} agents: ${q.members.map((m) => m.extension).join(', ')}`);
    });
  member
    .command('remove <queue> <extension>')
    .description('remove an agent from a queue')
    .action((queue: string, extension: string) => {
      if (!ctx.repos().queues.removeMember(queue, extension)) throw new ValidationError(`extension ${extension} is not an agent of queue ${queue}`, 'extension');
      const q = ctx.repos().queues.get(queue)!;
      ctx.out(`queue ${q.number} agents: ${q.members.map((m) => m.extension).join(', ') || 'none'}`);
    });

  for (const [verb, paused] of [['pause', true], ['resume', false]] as const) {
    group
      .command(`${verb} <extension>`)
      .description(`${verb} an agent in all its queues, or only in --queue (a running server picks it up at once; phones: ${paused ? '*46' : '*47'})`)
      .option('--queue <number>', 'only this queue')
      .addHelpText('after', `\nExample:\n  hookflash queue ${verb} 101 --queue 30`)
      .action((extension: string, opts: { queue?: string }) => {
        const changed = ctx.repos().queues.setPaused(extension, paused, opts.queue);
        if (changed.length === 0) throw new ValidationError(`extension ${extension} is not an agent of any queue`, 'extension');
        ctx.out(`${extension} ${paused ? 'paused' : 'resumed'} in queue(s) ${changed.join(', ')}`);
      });
  }
}
