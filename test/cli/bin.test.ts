import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'src/cli/bin.ts');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Spawns the real entry point the way `npx tsx src/cli/bin.ts` does. */
function run(args: string[], env: NodeJS.ProcessEnv, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
      cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

t.test('the real entry point: --help, a command, an error, a usage error', async (t) => {
  const dataDir = t.testdir();
  const env = { HOOKFLASH_DATA_DIR: dataDir, HOOKFLASH_PUBLIC_HOST: '127.0.0.1' };
  const help = await run(['--help'], env);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: hookflash \[options\] \[command\]/);
  t.match(help.stdout, /extension/);
  const add = await run(['extension', 'add', '102', '--name', 'Anna'], env);
  t.equal(add.code, 0, add.stderr);
  t.match(add.stdout, /SIP password for 102 \(shown once, store it now\): \S{20}/);
  const dup = await run(['extension', 'add', '102', '--name', 'Anna'], env);
  t.equal(dup.code, 1);
  t.equal(dup.stderr.trim(), 'error: extension 102 already exists', 'one line, no stack trace');
  const usage = await run(['device', 'add'], env);
  t.equal(usage.code, 2);
});

t.test('serve starts on free ports and stops cleanly on SIGTERM', async (t) => {
  const dir = t.testdir({
    'hf.json': JSON.stringify({
      http: { host: '127.0.0.1', port: 0 },
      tftp: { host: '127.0.0.1', port: 0 },
      sip: { host: '127.0.0.1', port: 0, controlPort: 0 },
    }),
  });
  let signalled = false;
  const result = await run(['--config', join(dir, 'hf.json'), '--data-dir', join(dir, 'data'), 'serve'],
    { HOOKFLASH_PUBLIC_HOST: '127.0.0.1', HOOKFLASH_LOG_LEVEL: 'info' },
    (out, child) => {
      if (!signalled && out.includes('hookflash started')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
  t.ok(signalled, `server reported it started (stderr: ${result.stderr.slice(0, 500)})`);
  t.equal(result.code, 0, 'exit code 0 after SIGTERM');
  t.equal(result.signal, null, 'exited by itself, not killed');
});
