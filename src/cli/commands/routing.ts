/**
 * `hookflash forward …` (per-extension forwarding) and `hookflash entry …` (entry numbers
 * routed by business hours). Arguments are translated into the rule objects of src/pbx/rules
 * and validated by the same checkers the PBX uses, with errors naming the option at fault.
 */
import { Option, type Command } from 'commander';
import { ConflictError, HookflashError, NotFoundError, ValidationError } from '../../errors.js';
import { checkDestination, describeDestination } from '../../pbx/rules/forwarding.js';
import { checkEntryNumber } from '../../pbx/rules/entry-numbers.js';
import { compileSchedule, DEFAULT_TIME_ZONE, isOpen, nextChange, WEEKDAYS, type ScheduleInput, type Weekday } from '../../pbx/rules/schedule.js';
import { isKnownTimeZone } from '../../util/zoned-time.js';
import { createForwardingStore, createScheduleStore } from '../../pbx/stores.js';
import type { Destination, ForwardCondition, ForwardingRules } from '../../pbx/types.js';
import { formatTable, type CliContext } from '../context.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** commander reads any `--no-…` flag as the negation of `--…`; here "no answer" is a condition. */
function plainOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  option.negate = false;
  return option;
}

const DESTINATION_HELP = 'ext:102, queue:30, voicemail:102, hangup, or a bare extension number';

/** `ext:102` | `queue:30` | `voicemail:102` | `hangup` | `102` → a Destination, checked. */
export function parseDestination(text: string, option: string): Destination {
  const value = text.trim();
  if (value.toLowerCase() === 'hangup') return { kind: 'hangup' };
  const prefixed = /^(ext|extension|queue|voicemail|vm):(.*)$/i.exec(value);
  const raw = /^\d+$/.test(value) ? { kind: 'extension', number: value }
    : prefixed === null ? undefined
      : prefixed[1]!.toLowerCase() === 'queue' ? { kind: 'queue', number: prefixed[2]!.trim() }
        : /^(voicemail|vm)$/i.test(prefixed[1]!) ? { kind: 'voicemail', box: prefixed[2]!.trim() }
          : { kind: 'extension', number: prefixed[2]!.trim() };
  if (raw === undefined) {
    throw new ValidationError(`${option}: destination ${JSON.stringify(text)} is not one of ${DESTINATION_HELP}`, option);
  }
  return checkDestination(raw, `${option} ${JSON.stringify(text)}`);
}

/** The inverse of parseDestination, for output that can be pasted back into a command. */
export function formatDestination(d: Destination): string {
  switch (d.kind) {
    case 'extension': return `ext:${d.number}`;
    case 'queue': return `queue:${d.number}`;
    case 'voicemail': return `voicemail:${d.box}`;
    case 'hangup': return 'hangup';
  }
}

/** A forward or entry pointing at an extension that does not exist would fail every call. */
function requireKnownExtension(ctx: CliContext, d: Destination, option: string): void {
  if (d.kind === 'extension' && ctx.repos().extensions.get(d.number) === undefined) {
    throw new ValidationError(`${option}: extension ${d.number} does not exist (add it: hookflash extension add ${d.number} --name …)`, option);
  }
}

const DAY_ABBREVIATIONS = WEEKDAYS.map((d) => d.slice(0, 3));
/** Monday-first, the way office hours are written. */
const WEEK_ORDER: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function dayIndex(token: string, option: string, arg: string): number {
  const t = token.trim().toLowerCase();
  const index = WEEKDAYS.findIndex((d) => d === t || d.slice(0, 3) === t);
  if (index < 0) {
    throw new ValidationError(`${option} ${JSON.stringify(arg)}: unknown day ${JSON.stringify(token)} (use ${DAY_ABBREVIATIONS.join(', ')})`, option);
  }
  return index;
}

/** "mon-fri", "sat", "mon,wed,fri", "fri-mon" (wraps) → weekdays. */
function parseDays(spec: string, option: string, arg: string): Weekday[] {
  const days = new Set<Weekday>();
  for (const part of spec.split(',')) {
    const [from, to, extra] = part.split('-');
    if (extra !== undefined || from === undefined || from.trim() === '') {
      throw new ValidationError(`${option} ${JSON.stringify(arg)}: ${JSON.stringify(part)} is not a day or a day range like mon-fri`, option);
    }
    const start = dayIndex(from, option, arg);
    const end = to === undefined ? start : dayIndex(to, option, arg);
    for (let i = 0, d = start; i < 7; i++, d = (d + 1) % 7) {
      days.add(WEEKDAYS[d]!);
      if (d === end) break;
    }
  }
  return [...days];
}

/**
 * `--hours "mon-fri 08:00-16:00"` (intervals may be comma-separated: "08:00-12:00,13:00-16:00")
 * merged into `weekly`. Each value is compiled on its own first, so an error names that value.
 */
export function addHours(weekly: Partial<Record<Weekday, string[]>>, arg: string): void {
  const option = '--hours';
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(arg);
  if (m === null) throw new ValidationError(`${option} ${JSON.stringify(arg)}: expected "DAYS HH:MM-HH:MM", e.g. "mon-fri 08:00-16:00"`, option);
  const days = parseDays(m[1]!, option, arg);
  const intervals = m[2]!.split(',').map((s) => s.trim());
  compileChecked({ name: 'check', timeZone: 'UTC', weekly: Object.fromEntries(days.map((d) => [d, intervals])) }, option, arg);
  for (const day of days) weekly[day] = [...(weekly[day] ?? []), ...intervals];
}

/** `--holiday 2026-12-24` (closed), `--holiday 12-25` (every year), `--holiday "2026-12-24 08:00-12:00"` (short day). */
export function parseHoliday(arg: string): NonNullable<ScheduleInput['holidays']>[number] {
  const option = '--holiday';
  const [date = '', intervals, extra] = arg.trim().split(/\s+/);
  if (extra !== undefined) throw new ValidationError(`${option} ${JSON.stringify(arg)}: expected "YYYY-MM-DD" or "YYYY-MM-DD HH:MM-HH:MM"`, option);
  const holiday = { date, ...(intervals !== undefined ? { intervals: intervals.split(',') } : {}) };
  compileChecked({ name: 'check', timeZone: 'UTC', weekly: {}, holidays: [holiday] }, option, arg);
  return holiday;
}

function compileChecked(input: ScheduleInput, option: string, arg: string): void {
  try {
    compileSchedule(input);
  } catch (err) {
    if (!(err instanceof HookflashError)) throw err;
    // Drop the internal schedule name; the user wrote an option, not a schedule.
    throw new ValidationError(`${option} ${JSON.stringify(arg)}: ${err.message.replace(/^schedule "check": /, '')}`, option);
  }
}

/** Groups days with the same intervals: "mon-fri 08:00-16:00; sat 09:00-13:00". */
export function describeWeekly(weekly: Partial<Record<Weekday, string[]>>): string {
  const parts: string[] = [];
  let i = 0;
  while (i < WEEK_ORDER.length) {
    const key = (weekly[WEEK_ORDER[i]!] ?? []).join(',');
    let j = i;
    while (j + 1 < WEEK_ORDER.length && (weekly[WEEK_ORDER[j + 1]!] ?? []).join(',') === key) j++;
    if (key !== '') {
      const from = WEEK_ORDER[i]!.slice(0, 3);
      parts.push(`${j > i ? `${from}-${WEEK_ORDER[j]!.slice(0, 3)}` : from} ${key}`);
    }
    i = j + 1;
  }
  return parts.join('; ') || 'never open';
}

const CONDITIONS: Array<{ key: ForwardCondition; flag: string; label: string }> = [
  { key: 'always', flag: '--always', label: 'always' },
  { key: 'busy', flag: '--busy', label: 'busy' },
  { key: 'noAnswer', flag: '--no-answer', label: 'no answer' },
  { key: 'unavailable', flag: '--unavailable', label: 'unavailable' },
];

function forwardingLines(rules: ForwardingRules): string[] {
  const lines: string[] = [];
  if (rules.always) lines.push(`always       → ${formatDestination(rules.always)} (${describeDestination(rules.always)})`);
  if (rules.busy) lines.push(`busy         → ${formatDestination(rules.busy)} (${describeDestination(rules.busy)})`);
  if (rules.noAnswer) lines.push(`no answer    → ${formatDestination(rules.noAnswer.to)} (${describeDestination(rules.noAnswer.to)}) after ${rules.noAnswer.after} s`);
  if (rules.unavailable) lines.push(`unavailable  → ${formatDestination(rules.unavailable)} (${describeDestination(rules.unavailable)})`);
  return lines;
}

function requireExtension(ctx: CliContext, ext: string): void {
  if (ctx.repos().extensions.get(ext) === undefined) throw new NotFoundError(`extension ${ext} does not exist`, 'extension');
}

interface ForwardSetOptions { always?: string; busy?: string; noAnswer?: string; after?: string; unavailable?: string }
interface ForwardClearOptions { always?: boolean; busy?: boolean; noAnswer?: boolean; unavailable?: boolean }

function registerForwardCommands(program: Command, ctx: CliContext): void {
  const store = () => createForwardingStore({ forwarding: ctx.repos().forwarding, logger: ctx.logger() });
  const group = program.command('forward').description('per-extension call forwarding: set, clear, show');

  group
    .command('set <ext>')
    .description('set one or more forwarding conditions of an extension (others are kept)')
    .option('--always <dest>', `forward every call without ringing (${DESTINATION_HELP})`)
    .option('--busy <dest>', 'forward when the extension is busy')
    .addOption(plainOption('--no-answer <dest>', 'forward when nobody answers within --after seconds'))
    .option('--after <s>', 'seconds of ringing before --no-answer applies (5–300)')
    .option('--unavailable <dest>', 'forward when no phone of the extension is registered')
    .addHelpText('after', `
Destinations: ${DESTINATION_HELP}.

Examples:
  hookflash forward set 102 --busy voicemail:102
  hookflash forward set 102 --no-answer ext:103 --after 20 --unavailable voicemail:102
  hookflash forward set 102 --always queue:30`)
    .action((ext: string, opts: ForwardSetOptions, cmd: Command) => {
      if (opts.after !== undefined && opts.noAnswer === undefined) {
        cmd.error('error: --after applies to --no-answer; give both', { exitCode: 2, code: 'hookflash.afterWithoutNoAnswer' });
      }
      if (opts.noAnswer !== undefined && opts.after === undefined) {
        cmd.error('error: --no-answer needs --after <seconds> (5–300)', { exitCode: 2, code: 'hookflash.noAnswerWithoutAfter' });
      }
      if (opts.always === undefined && opts.busy === undefined && opts.noAnswer === undefined && opts.unavailable === undefined) {
        cmd.error('error: nothing to set: give --always, --busy, --no-answer with --after, or --unavailable', {
          exitCode: 2, code: 'hookflash.nothingToSet',
        });
      }
      requireExtension(ctx, ext);
      const rules: ForwardingRules = { ...(store().getForwarding(ext) ?? {}) };
      const destination = (value: string, option: string) => {
        const d = parseDestination(value, option);
        requireKnownExtension(ctx, d, option);
        if (d.kind === 'extension' && d.number === ext) throw new ValidationError(`${option}: extension ${ext} cannot forward to itself`, option);
        return d;
      };
      if (opts.always !== undefined) rules.always = destination(opts.always, '--always');
      if (opts.busy !== undefined) rules.busy = destination(opts.busy, '--busy');
      if (opts.unavailable !== undefined) rules.unavailable = destination(opts.unavailable, '--unavailable');
      if (opts.noAnswer !== undefined) {
        const after = /^\d+$/.test(opts.after!.trim()) ? Number(opts.after) : Number.NaN;
        if (!Number.isInteger(after)) throw new ValidationError(`--after: ${JSON.stringify(opts.after)} is not whole seconds`, '--after');
        rules.noAnswer = { after, to: destination(opts.noAnswer, '--no-answer') };
      }
      try {
        store().setForwarding(ext, rules);
      } catch (err) {
        // The checker names the JSON field (noAnswer.after); the user typed an option.
        if (err instanceof ValidationError && err.field === 'noAnswer.after') {
          throw new ValidationError(`--after: ${err.message.replace(/^.*noAnswer\.after /, '')}`, '--after');
        }
        throw err;
      }
      ctx.out(`forwarding of ${ext} updated:`);
      for (const line of forwardingLines(rules)) ctx.out(`  ${line}`);
    });

  group
    .command('clear <ext>')
    .description('remove forwarding conditions of an extension (all of them when none is named)')
    .option('--always', 'remove the always forward')
    .option('--busy', 'remove the busy forward')
    .addOption(plainOption('--no-answer', 'remove the no-answer forward'))
    .option('--unavailable', 'remove the unavailable forward')
    .addHelpText('after', `
Examples:
  hookflash forward clear 102
  hookflash forward clear 102 --busy --no-answer`)
    .action((ext: string, opts: ForwardClearOptions) => {
      requireExtension(ctx, ext);
      const chosen = CONDITIONS.filter((c) => opts[c.key] === true);
      const rules: ForwardingRules = { ...(store().getForwarding(ext) ?? {}) };
      for (const c of chosen.length > 0 ? chosen : CONDITIONS) delete rules[c.key];
      store().setForwarding(ext, rules);
      const left = forwardingLines(rules);
      ctx.out(left.length === 0 ? `forwarding of ${ext} cleared` : `forwarding of ${ext} updated:\n${left.map((l) => `  ${l}`).join('\n')}`);
    });

  group
    .command('show <ext>')
    .description("show an extension's forwarding")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  hookflash forward show 102\n  hookflash forward show 102 --json')
    .action((ext: string, opts: { json?: boolean }) => {
      requireExtension(ctx, ext);
      const rules = store().getForwarding(ext) ?? {};
      if (opts.json) {
        ctx.out(JSON.stringify(rules, null, 2));
        return;
      }
      const lines = forwardingLines(rules);
      ctx.out(lines.length === 0 ? `extension ${ext}: no forwarding` : `extension ${ext}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    });
}

interface EntryAddOptions {
  inHours: string; afterHours: string; timezone: string; hours: string[]; holiday?: string[]; name?: string; replace?: boolean;
}

interface StoredEntryView {
  number: string;
  name: string;
  timeZone: string;
  hours: string;
  holidays: string[];
  inHours: string;
  afterHours: string;
}

function registerEntryCommands(program: Command, ctx: CliContext): void {
  const store = () => createScheduleStore({ entryNumbers: ctx.repos().entryNumbers, logger: ctx.logger() });
  const group = program.command('entry').description('entry numbers routed by business hours: add, list, show, remove');

  /** A stored entry as the user wrote it; undefined when it no longer validates. */
  const view = (number: string): StoredEntryView | undefined => {
    const entry = store().getEntry(number);
    const stored = ctx.repos().entryNumbers.get(number);
    if (entry === undefined || stored === undefined) return undefined;
    const schedule = stored.definition['schedule'] as ScheduleInput;
    return {
      number, name: schedule.name, timeZone: entry.schedule.timeZone, hours: describeWeekly(schedule.weekly),
      holidays: (schedule.holidays ?? []).map((h) => [h.date, ...(h.intervals?.length ? [h.intervals.join(',')] : [])].join(' ')),
      inHours: formatDestination(entry.inHours), afterHours: formatDestination(entry.afterHours),
    };
  };

  group
    .command('add <number>')
    .description('add an entry number: in hours it goes to one destination, after hours and on holidays to another')
    .requiredOption('--in-hours <dest>', `destination while open (${DESTINATION_HELP})`)
    .requiredOption('--after-hours <dest>', 'destination while closed and on holidays')
    .requiredOption('--hours <spec>', 'open hours, "DAYS HH:MM-HH:MM[,HH:MM-HH:MM]" (repeatable)', collect)
    .option('--timezone <zone>', 'IANA time zone of the hours', DEFAULT_TIME_ZONE)
    .option('--holiday <date>', 'closed on YYYY-MM-DD (or MM-DD every year); "DATE HH:MM-HH:MM" for a short day (repeatable)', collect)
    .option('--name <name>', 'schedule name shown in lists (default "entry <number>")')
    .option('--replace', 'overwrite an existing entry number')
    .addHelpText('after', `
Examples:
  hookflash entry add 20 --in-hours ext:102 --after-hours voicemail:102 --hours "mon-fri 08:00-16:00"
  hookflash entry add 21 --in-hours queue:30 --after-hours hangup --timezone Europe/Warsaw \\
      --hours "mon-fri 08:00-12:00,13:00-17:00" --hours "sat 09:00-13:00" \\
      --holiday 12-25 --holiday 2026-12-24 --holiday "2026-12-31 08:00-12:00"`)
    .action((number: string, opts: EntryAddOptions) => {
      if (!opts.replace && ctx.repos().entryNumbers.get(number) !== undefined) {
        throw new ConflictError(`entry number ${number} already exists (add --replace to overwrite it)`, 'number');
      }
      if (!isKnownTimeZone(opts.timezone)) {
        throw new ValidationError(`--timezone: ${JSON.stringify(opts.timezone)} is not a known IANA time zone (e.g. "Europe/Warsaw")`, '--timezone');
      }
      const inHours = parseDestination(opts.inHours, '--in-hours');
      requireKnownExtension(ctx, inHours, '--in-hours');
      const afterHours = parseDestination(opts.afterHours, '--after-hours');
      requireKnownExtension(ctx, afterHours, '--after-hours');
      const weekly: Partial<Record<Weekday, string[]>> = {};
      for (const arg of opts.hours) addHours(weekly, arg);
      const holidays = (opts.holiday ?? []).map(parseHoliday);
      const schedule: ScheduleInput = { name: opts.name ?? `entry ${number}`, timeZone: opts.timezone, weekly, holidays };
      // Whole-entry check (number format, overlapping holidays) before anything is written.
      checkEntryNumber({ number, schedule, inHours, afterHours });
      store().saveEntry({ number, schedule, inHours, afterHours });
      const saved = view(number)!;
      ctx.out(`entry number ${number} saved: ${saved.hours} (${saved.timeZone}) → ${saved.inHours}, otherwise → ${saved.afterHours}`);
    });

  group
    .command('list')
    .description('list entry numbers')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExamples:\n  hookflash entry list\n  hookflash entry list --json')
    .action((opts: { json?: boolean }) => {
      const stored = ctx.repos().entryNumbers.list();
      const views = stored.map((s) => view(s.number) ?? { number: s.number, invalid: true as const });
      if (opts.json) {
        ctx.out(JSON.stringify(views, null, 2));
        return;
      }
      if (views.length === 0) {
        ctx.out('no entry numbers (add one: hookflash entry add 20 --in-hours ext:102 --after-hours voicemail:102 --hours "mon-fri 08:00-16:00")');
        return;
      }
      ctx.out(formatTable(
        ['NUMBER', 'NAME', 'TIMEZONE', 'HOURS', 'IN HOURS', 'AFTER HOURS'],
        views.map((v) => ('invalid' in v
          ? [v.number, '(stored definition is invalid)', '-', '-', '-', '-']
          : [v.number, v.name, v.timeZone, v.hours, v.inHours, v.afterHours])),
      ));
    });

  group
    .command('show <number>')
    .description('show one entry number, and whether it is open right now')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  hookflash entry show 20\n  hookflash entry show 20 --json')
    .action((number: string, opts: { json?: boolean }) => {
      if (ctx.repos().entryNumbers.get(number) === undefined) throw new NotFoundError(`entry number ${number} does not exist`, 'number');
      const v = view(number);
      const entry = store().getEntry(number);
      if (v === undefined || entry === undefined) {
        throw new ValidationError(`entry number ${number}: the stored definition is invalid; re-create it with: hookflash entry add ${number} --replace …`);
      }
      const now = Date.now();
      const open = isOpen(entry.schedule, now);
      const change = nextChange(entry.schedule, now);
      if (opts.json) {
        ctx.out(JSON.stringify({ ...v, openNow: open, nextChange: change === null ? null : new Date(change.at).toISOString() }, null, 2));
        return;
      }
      ctx.out(`entry number ${v.number} (${v.name})`);
      ctx.out(`  hours        ${v.hours} (${v.timeZone})`);
      ctx.out(`  holidays     ${v.holidays.join('; ') || '-'}`);
      ctx.out(`  in hours     → ${v.inHours} (${describeDestination(entry.inHours)})`);
      ctx.out(`  after hours  → ${v.afterHours} (${describeDestination(entry.afterHours)})`);
      ctx.out(`  now          ${open ? 'open' : 'closed'}${change === null ? '' : `, ${change.open ? 'opens' : 'closes'} ${new Date(change.at).toISOString()}`}`);
    });

  group
    .command('remove <number>')
    .description('remove an entry number')
    .addHelpText('after', '\nExample:\n  hookflash entry remove 20')
    .action((number: string) => {
      if (!ctx.repos().entryNumbers.remove(number)) throw new NotFoundError(`entry number ${number} does not exist`, 'number');
      ctx.out(`entry number ${number} removed`);
    });
}

export function registerRoutingCommands(program: Command, ctx: CliContext): void {
  registerForwardCommands(program, ctx);
  registerEntryCommands(program, ctx);
}
