import type { Command } from 'commander';
import { createLogger } from '../../log.js';
import type { CliContext } from '../context.js';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('start HTTP + TFTP provisioning, the SIP server and the PBX; runs until SIGINT/SIGTERM')
    .addHelpText('after', `
Examples:
  hookflash serve
  HOOKFLASH_HTTP_PORT=8081 HOOKFLASH_TFTP_PORT=1069 hookflash serve
  hookflash --config /etc/hookflash.json serve`)
    .action(async () => {
      const config = ctx.config();
      // Loaded on demand: the whole server (SIP, PBX, web) is only needed by this command,
      // and management commands should start fast and work even if a server part is broken.
      const { startHookflash } = await import('../../app.js');
      const logger = createLogger({ level: config.log.level, destination: streamOf(ctx.io.stdout) });
      const running = await startHookflash(config, { logger });
      if (running.setupUrl) {
        // The link is a credential: shown to the operator on the terminal, never written to the log.
        ctx.io.stderr.write(`No admin account yet. Open this one-time link to create one (it expires): ${running.setupUrl}\n`);
      }
      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping');
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          running.stop().then(resolve, (err: unknown) => {
            logger.error({ err }, 'error while stopping');
            resolve();
          });
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
    });
}

function streamOf(out: CliContext['io']['stdout']): NodeJS.WritableStream {
  return { write: (s: string) => out.write(s) } as unknown as NodeJS.WritableStream;
}
