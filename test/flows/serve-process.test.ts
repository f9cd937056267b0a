/**
 * `hookflash serve` as a real process: starts on the given ports, serves provisioning over
 * HTTP and TFTP, keeps serving when one port cannot be bound, and stops cleanly on SIGTERM.
 */
import t, { type Test } from 'tap';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const START_LIMIT_S = 50;
// Two real start-ups of up to START_LIMIT_S each, plus the rest: more than tap's default per file.
t.setTimeout(240_000);

interface Started { child: ChildProcess; lines: Array<Record<string, unknown>>; ports: Record<string, number | null> }

async function startServe(t: Test, env: Record<string, string>): Promise<Started> {
  // The drachtio control port defaults to 9022; tests run in parallel, so let the OS pick one.
  const configDir = mkdtempSync(join(tmpdir(), 'hookflash-serve-'));
  t.teardown(() => rmSync(configDir, { recursive: true, force: true }));
  const configFile = join(configDir, 'hookflash.json');
  writeFileSync(configFile, JSON.stringify({ sip: { controlPort: 0 } }));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), '--config', configFile, 'serve'], {
    cwd: root,
    env: { ...process.env, HOOKFLASH_PUBLIC_HOST: '127.0.0.1', HOOKFLASH_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const ports = await new Promise<Record<string, number | null>>((resolvePorts, reject) => {
    // tsx compiles the whole app on start: seconds on a quiet machine, far more on a loaded CI one.
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${START_LIMIT_S} s; stderr: ${stderr}`)), START_LIMIT_S * 1000);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const obj = JSON.parse(line) as Record<string, unknown>;
          lines.push(obj);
          if (obj.msg === 'hookflash started') {
            clearTimeout(timer);
            resolvePorts(obj.ports as Record<string, number | null>);
          }
        } catch { /* not a log line */ }
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}; stderr: ${stderr}`)); });
  });
  return { child, lines, ports };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    child.once('exit', (code) => res(code));
    child.kill('SIGTERM');
  });
}

t.test('serve starts on free ports, serves the bootstrap profile over HTTP and TFTP, stops on SIGTERM', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const s = await startServe(t, {
    HOOKFLASH_DATA_DIR: dataDir, HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: '0', HOOKFLASH_SIP_PORT: '0',
  });
  t.type(s.ports.http, 'number');
  t.type(s.ports.tftp, 'number');
  t.type(s.ports.sip, 'number', 'the bundled SIP server is up');
  t.ok(s.lines.some((l) => l.msg === 'PBX connected to the SIP server'), 'the PBX (a drachtio-srf app) connected to it');

  const res = await fetch(`http://127.0.0.1:${s.ports.http}/spa303.cfg`);
  t.equal(res.status, 200);
  const body = await res.text();
  t.match(body, /<Profile_Rule[^>]*>http:\/\/127\.0\.0\.1:\d+\/spa\/\$MA\.xml<\/Profile_Rule>/);

  const out = join(dataDir, 'got-spa112.cfg');
  await run('tftp', ['-m', 'octet', '127.0.0.1', String(s.ports.tftp), '-c', 'get', 'spa112.cfg', out], { timeout: 10_000 });
  t.match(readFileSync(out, 'utf8'), /<flat-profile>/);

  t.equal(await stop(s.child), 0, 'exits 0 on SIGTERM');
});

t.test('a TFTP port that cannot be bound is one clear log line; HTTP keeps serving', async (t) => {
  const blocker = createSocket('udp4');
  await new Promise<void>((r) => blocker.bind(0, '0.0.0.0', () => r()));
  t.teardown(() => blocker.close());
  const busyPort = blocker.address().port;

  const s = await startServe(t, {
    HOOKFLASH_DATA_DIR: join(t.testdir(), 'data'), HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: String(busyPort), HOOKFLASH_SIP_PORT: '0',
  });
  t.equal(s.ports.tftp, null, 'no TFTP port reported');
  const tftpLines = s.lines.filter((l) => typeof l.msg === 'string' && /TFTP/.test(l.msg as string));
  t.equal(tftpLines.length, 1, 'exactly one line about TFTP');
  t.match(String(tftpLines[0]?.msg), /HOOKFLASH_TFTP_PORT/, 'the line says how to fix it');
  const res = await fetch(`http://127.0.0.1:${s.ports.http}/spa112.cfg`);
  t.equal(res.status, 200, 'HTTP still serves');
  t.equal(await stop(s.child), 0);
});

t.test('invalid config stops start-up with a message naming key, value and what is allowed', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, HOOKFLASH_DATA_DIR: t.testdir(), HOOKFLASH_HTTP_PORT: 'eighty' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  t.not(code, 0);
  t.match(stderr, /http\.port/);
  t.match(stderr, /eighty/);
  t.match(stderr, /HOOKFLASH_HTTP_PORT/);
});
