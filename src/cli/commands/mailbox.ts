import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { MailboxLanguage, OutboxStatus } from '../../data/types.js';
import { createMailboxService } from '../../pbx/voicemail/mailbox-service.js';
import { formatTable, type CliContext } from '../context.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function service(ctx: CliContext) {
  return createMailboxService({ repos: ctx.repos(), dataDir: ctx.config().dataDir, logger: ctx.logger() });
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function registerMailboxCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command('mailbox')
    .description('manage voicemail boxes and the voicemail e-mail outbox');

  group
    .command('add <box>')
    .description('add a mailbox (per extension or per department); the PIN is stored hashed')
    .requiredOption('--name <name>', 'mailbox name shown in e-mails, 1–64 characters')
    .option('--email <addr>', 'e-mail recipient of new messages (repeatable)', collect)
    .option('--pin <digits>', 'PIN of 4–10 digits for listening by phone')
    .addOption(new Option('--language <lang>', 'language of prompts and e-mails').choices(['pl', 'en']).default('pl'))
    .option('--extension <ext>', 'the extension this mailbox belongs to')
    .addHelpText('after', `
Examples:
  hookflash mailbox add 102 --name "Anna Nowak" --email anna@example.com --extension 102 --pin 4321
  hookflash mailbox add 500 --name "Sales" --email sales@example.com --email boss@example.com --language en`)
    .action(async (box: string, opts: { name: string; email?: string[]; pin?: string; language: MailboxLanguage; extension?: string }) => {
      const mailbox = await service(ctx).add({
        box, name: opts.name, emails: opts.email ?? [], language: opts.language,
        ...(opts.pin !== undefined ? { pin: opts.pin } : {}), extension: opts.extension ?? null,
      });
      ctx.out(`mailbox ${mailbox.box} added (${mailbox.name}, ${mailbox.language}, ${mailbox.emails.length} recipient(s))`);
      if (mailbox.emails.length === 0) ctx.out('note: no --email given, messages are stored but not e-mailed');
    });

  group
    .command('list')
    .description('list mailboxes (PINs are never shown)')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const boxes = ctx.repos().mailboxes.list();
      if (opts.json) {
        ctx.out(JSON.stringify(boxes.map(({ pinHash, ...m }) => ({ ...m, pinSet: pinHash !== null })), null, 2));
        return;
      }
      if (boxes.length === 0) {
        ctx.out('no mailboxes (add one: hookflash mailbox add 102 --name "Anna Nowak" --email anna@example.com)');
        return;
      }
      ctx.out(formatTable(
        ['BOX', 'NAME', 'LANG', 'EXTENSION', 'PIN', 'GREETING', 'EMAILS'],
        boxes.map((m) => [m.box, m.name, m.language, m.extension ?? '-', m.pinHash ? 'set' : '-', m.greetingFile ? 'own' : 'default', m.emails.join(', ') || '-']),
      ));
    });

  group
    .command('remove <box>')
    .description('remove a mailbox (refused while its e-mails are undelivered; stored messages are kept)')
    .action(async (box: string) => {
      await service(ctx).remove(box);
      ctx.out(`mailbox ${box} removed`);
    });

  group
    .command('greeting <box> <file>')
    .description('set the mailbox greeting from a WAV file (converted to 8 kHz mono)')
    .addHelpText('after', '\nExample:\n  hookflash mailbox greeting 102 ./greeting-anna.wav')
    .action(async (box: string, file: string) => {
      const { info, path } = await service(ctx).setGreeting(box, resolve(ctx.io.cwd, file));
      const source = `${info.sampleRate} Hz, ${info.channels === 1 ? 'mono' : `${info.channels} channels`}`;
      ctx.out(`greeting of mailbox ${box} stored: ${path} (${(info.durationMs / 1000).toFixed(1)} s${info.converted ? `, converted from ${source} to 8000 Hz mono` : ''})`);
    });

  group
    .command('outbox')
    .description('list voicemail e-mails not delivered yet (pending and failed), with the last error')
    .option('--all', 'include sent e-mails')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { all?: boolean; json?: boolean }) => {
      const statuses: OutboxStatus[] = opts.all ? ['pending', 'failed', 'sent'] : ['pending', 'failed'];
      const rows = ctx.repos().mailOutbox.list({ statuses });
      if (opts.json) {
        ctx.out(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        ctx.out(opts.all ? 'the outbox is empty' : 'nothing pending or failed: every voicemail e-mail was accepted');
        return;
      }
      ctx.out(formatTable(
        ['ID', 'MESSAGE', 'RECIPIENT', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
        rows.map((r) => [
          String(r.id), String(r.messageId), r.recipient, r.status === 'failed' ? 'failed (permanent)' : r.status,
          String(r.attempts), r.status === 'pending' ? when(r.nextAttemptAt) : '-', r.lastError ?? '-',
        ]),
      ));
    });

  group
    .command('retry <id>')
    .description('queue failed or pending e-mails for immediate delivery: an outbox id, or "all"')
    .addHelpText('after', '\nExamples:\n  hookflash mailbox retry 17\n  hookflash mailbox retry all')
    .action((id: string) => {
      let target: number | 'all';
      if (id === 'all') target = 'all';
      else if (/^\d+$/.test(id)) target = Number(id);
      else throw new ValidationError(`"${id}" is not an outbox id or "all"`, 'id');
      const repos = ctx.repos();
      if (target !== 'all') {
        const row = repos.mailOutbox.get(target);
        if (!row) throw new NotFoundError(`outbox row ${target} does not exist`, 'id');
        if (row.status === 'sent') throw new ValidationError(`outbox row ${target} was already accepted by the mail server; it is not sent twice`, 'id');
      }
      const count = repos.mailOutbox.retry(target, Date.now());
      ctx.out(`${count} e-mail(s) queued for delivery; the running server sends them within its poll interval`);
    });
}
