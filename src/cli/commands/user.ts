import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { generatePassword } from '../../util/secrets.js';
import { hashPassword } from '../../web/passwords.js';
import { createAuditWriter } from '../../web/audit.js';
import { checkNewPassword } from '../../web/auth-routes.js';
import { formatTable, type CliContext } from '../context.js';

/** Generated web passwords: long, from the unambiguous alphabet. */
export const GENERATED_USER_PASSWORD_LENGTH = 16;

/** Reads a password from the terminal without echoing it. */
function promptPassword(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let prompting = true;
  out._writeToOutput = (s: string) => {
    if (!prompting || s.includes(question)) out.output.write(s);
  };
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      prompting = false;
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

export function registerUserCommands(program: Command, ctx: CliContext): void {
  const group = program.command('user').description('manage web UI users: add, list');

  group
    .command('add <name>')
    .description('add a web UI user; the password is asked for on a terminal, otherwise generated and printed once')
    .addOption(new Option('--role <role>', 'admin (everything) or installer (the installer page only)').choices(['admin', 'installer']).makeOptionMandatory())
    .option('--generate-password', 'generate the password even on a terminal')
    .addHelpText('after', `
Examples:
  hookflash user add anna --role admin
  hookflash user add tech1 --role installer --generate-password`)
    .action(async (name: string, opts: { role: 'admin' | 'installer'; generatePassword?: boolean }) => {
      const interactive = !opts.generatePassword && process.stdin.isTTY === true && ctx.io.stdout.isTTY === true;
      let password: string;
      if (interactive) {
        password = checkNewPassword(await promptPassword('Password: '));
        if ((await promptPassword('Repeat password: ')) !== password) throw new ValidationError('the passwords differ; nothing was saved', 'password');
      } else {
        password = generatePassword(GENERATED_USER_PASSWORD_LENGTH);
      }
      const repos = ctx.repos();
      const user = repos.users.add({ name, role: opts.role, passwordHash: await hashPassword(password) });
      createAuditWriter(repos.audit).record('cli', 'user.create', user.name, undefined, { name: user.name, role: user.role, password });
      ctx.out(`user ${user.name} added (${user.role})`);
      if (!interactive) ctx.out(`password for ${user.name} (shown once, store it now): ${password}`);
    });

  group
    .command('list')
    .description('list web UI users (passwords are never shown)')
    .action(() => {
      const users = ctx.repos().users.list();
      if (users.length === 0) {
        ctx.out('no users (add one: hookflash user add anna --role admin)');
        return;
      }
      ctx.out(formatTable(['NAME', 'ROLE', 'CREATED'], users.map((u) => [u.name, u.role, u.createdAt])));
    });
}
