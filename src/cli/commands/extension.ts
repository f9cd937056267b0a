import { Option, type Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import { generatePassword } from '../../util/secrets.js';
import { formatMac } from '../../util/mac.js';
import { formatTable, type CliContext } from '../context.js';

/** Length of generated SIP passwords: long enough that online guessing is hopeless. */
export { GENERATED_SIP_PASSWORD_LENGTH } from '../../util/secrets.js';
import { GENERATED_SIP_PASSWORD_LENGTH } from '../../util/secrets.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function printGeneratedPassword(ctx: CliContext, number: string, password: string): void {
  ctx.out(`SIP password for ${number} (shown once, store it now): ${password}`);
}

export function registerExtensionCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command('extension')
    .description('manage extensions (SIP accounts): add, list, set, remove');

  group
    .command('add <number>')
    .description('add an extension; a SIP password is generated and printed once unless --password is given')
    .requiredOption('--name <name>', 'display name, 1–64 characters (non-ASCII allowed)')
    .option('--password <pw>', 'SIP password (8–128 characters, no spaces); default: generated')
    .option('--email <addr>', 'voicemail e-mail recipient (repeatable)', collect)
    .addHelpText('after', `
Examples:
  hookflash extension add 102 --name "Anna Nowak"
  hookflash extension add 103 --name "Łucja Żak" --email lucja@example.com --email office@example.com`)
    .action((number: string, opts: { name: string; password?: string; email?: string[] }) => {
      const generated = opts.password === undefined ? generatePassword(GENERATED_SIP_PASSWORD_LENGTH) : undefined;
      const ext = ctx.repos().extensions.add({
        number, displayName: opts.name, sipPassword: opts.password ?? generated!, emails: opts.email ?? [],
      });
      ctx.out(`extension ${ext.number} added (${ext.displayName})`);
      if (generated) printGeneratedPassword(ctx, ext.number, generated);
    });

  group
    .command('list')
    .description('list extensions (passwords are never shown)')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExamples:\n  hookflash extension list\n  hookflash extension list --json')
    .action((opts: { json?: boolean }) => {
      const repos = ctx.repos();
      const devicesByExt = new Map<string, string[]>();
      for (const d of repos.devices.list()) {
        for (const n of d.lines) devicesByExt.set(n, [...(devicesByExt.get(n) ?? []), d.mac]);
      }
      const exts = repos.extensions.list();
      if (opts.json) {
        ctx.out(JSON.stringify(exts.map(({ sipPassword: _secret, ...e }) => ({ ...e, devices: devicesByExt.get(e.number) ?? [] })), null, 2));
        return;
      }
      if (exts.length === 0) {
        ctx.out('no extensions (add one: hookflash extension add 102 --name "Anna Nowak")');
        return;
      }
      ctx.out(formatTable(
        ['NUMBER', 'NAME', 'EMAILS', 'DEVICES'],
        exts.map((e) => [e.number, e.displayName, e.emails.join(', ') || '-', (devicesByExt.get(e.number) ?? []).map((m) => formatMac(m)).join(', ') || '-']),
      ));
    });

  group
    .command('set <number>')
    .description('change an extension: name, password (given or rotated), e-mail recipients')
    .option('--name <name>', 'new display name')
    .addOption(new Option('--password <pw>', 'new SIP password').conflicts('rotatePassword'))
    .option('--rotate-password', 'generate a new SIP password and print it once')
    .addOption(new Option('--email <addr>', 'replace the e-mail recipients (repeatable)').argParser(collect).conflicts('clearEmails'))
    .option('--clear-emails', 'remove all e-mail recipients')
    .addHelpText('after', `
Examples:
  hookflash extension set 102 --name "Anna Kowalska"
  hookflash extension set 102 --rotate-password
  hookflash extension set 102 --email anna@example.com --email boss@example.com`)
    .action((number: string, opts: { name?: string; password?: string; rotatePassword?: boolean; email?: string[]; clearEmails?: boolean }, cmd: Command) => {
      const generated = opts.rotatePassword ? generatePassword(GENERATED_SIP_PASSWORD_LENGTH) : undefined;
      const patch = {
        ...(opts.name !== undefined ? { displayName: opts.name } : {}),
        ...(opts.password !== undefined || generated ? { sipPassword: opts.password ?? generated! } : {}),
        ...(opts.email ? { emails: opts.email } : opts.clearEmails ? { emails: [] } : {}),
      };
      if (Object.keys(patch).length === 0) {
        cmd.error('error: nothing to change: give --name, --password, --rotate-password, --email or --clear-emails', {
          exitCode: 2, code: 'hookflash.nothingToChange',
        });
      }
      const ext = ctx.repos().extensions.update(number, patch);
      ctx.out(`extension ${ext.number} updated`);
      if (generated) printGeneratedPassword(ctx, ext.number, generated);
    });

  group
    .command('remove <number>')
    .description('remove an extension (refused while a device still uses it as a line)')
    .addHelpText('after', '\nExample:\n  hookflash extension remove 102')
    .action((number: string) => {
      if (!ctx.repos().extensions.remove(number)) throw new NotFoundError(`extension ${number} does not exist`);
      ctx.out(`extension ${number} removed`);
    });
}
