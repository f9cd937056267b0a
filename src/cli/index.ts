import { Command, CommanderError } from 'commander';
import { HookflashError } from '../errors.js';
import { createCliContext, type CliIo } from './context.js';
import { registerServeCommand } from './commands/serve.js';
import { registerExtensionCommands } from './commands/extension.js';
import { registerDeviceCommands } from './commands/device.js';
import { registerImportCommand } from './commands/import.js';
import { registerUserCommands } from './commands/user.js';
import { registerPbxDeviceCommands } from './commands/pbx-device.js';
import { registerMailboxCommands } from './commands/mailbox.js';
import { registerRoutingCommands } from './commands/routing.js';
import { registerQueueCommands } from './commands/queue.js';

export type { CliIo, CliOutput } from './context.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** Builds the whole command tree; each group lives in src/cli/commands/<group>.ts. */
export function buildProgram(io: CliIo): { program: Command; close(): void } {
  const program = new Command('hookflash');
  program
    .description('Zero-touch provisioning for Cisco SPA303/SPA112 plus a bundled PBX')
    .option('--config <file>', 'JSON config file with the keys to change (default: env HOOKFLASH_CONFIG)')
    .option('--data-dir <dir>', 'data directory holding hookflash.sqlite (default: env HOOKFLASH_DATA_DIR or ./data)')
    // Settings below are inherited by every subcommand created after them.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .allowExcessArguments(false);
  program.addHelpText('after', `
Examples:
  hookflash serve
  hookflash extension add 102 --name "Anna Nowak" --email anna@example.com
  hookflash device add 00:11:22:33:44:aa --model spa303 --line 102,103
  hookflash import office.csv --dry-run
  hookflash --data-dir /var/lib/hookflash device list

Environment: HOOKFLASH_CONFIG, HOOKFLASH_DATA_DIR, HOOKFLASH_PUBLIC_HOST, HOOKFLASH_HTTP_PORT,
HOOKFLASH_TFTP_PORT, HOOKFLASH_SIP_PORT, HOOKFLASH_LOG_LEVEL.
Exit codes: 0 ok, 1 error, 2 usage.`);

  const ctx = createCliContext(io, program);
  registerServeCommand(program, ctx);
  registerExtensionCommands(program, ctx);
  registerDeviceCommands(program, ctx);
  registerPbxDeviceCommands(program, ctx);
  registerImportCommand(program, ctx);
  registerMailboxCommands(program, ctx);
  registerRoutingCommands(program, ctx);
  registerQueueCommands(program, ctx);
  registerUserCommands(program, ctx);
  return { program, close: () => ctx.close() };
}

/**
 * Runs one CLI invocation in-process and returns the exit code (never calls process.exit):
 * 0 ok, 1 error (one clear line on stderr), 2 usage.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { program, close } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to exitOverride but successful runs for the user.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
        return EXIT_OK;
      }
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof HookflashError) {
      io.stderr.write(`error: ${err.message}\n`);
      return EXIT_ERROR;
    }
    // Unexpected: still one line by default; the stack only when asked for.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`error: ${message}\n`);
    if (io.env.HOOKFLASH_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_ERROR;
  } finally {
    close();
  }
}
