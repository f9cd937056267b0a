import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log.js';
import { createSipServer } from '../../../src/sip/server.js';
import { sipConfig } from '../../helpers/srf.js';

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-sipserver-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('secret is generated once (mode 0600), reused on restart, and never logged', async (t) => {
  const dataDir = tempDir(t);
  let logText = '';
  const sink = new Writable({ write(chunk, _enc, cb) { logText += chunk.toString(); cb(); } });
  const logger = createLogger({ level: 'trace', destination: sink });
  const first = createSipServer({ sip: sipConfig(), publicHost: '127.0.0.1', dataDir, logger });
  const a = await first.start();
  await first.stop();
  const file = join(dataDir, 'sip-control.secret');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(readFileSync(file, 'utf8').trim(), a.secret);
  t.ok(a.secret.length >= 24, 'a long random secret');

  const second = createSipServer({ sip: sipConfig(), publicHost: '127.0.0.1', dataDir, logger });
  const b = await second.start();
  t.equal(b.secret, a.secret, 'reused');
  t.ok(b.sipPort > 0 && b.controlPort > 0);
  await second.stop();
  t.notMatch(logText, a.secret, 'the secret never reaches a log line');
  t.match(logText, /SIP server started/);
});

t.test('an operator-provided secret file is used as is', async (t) => {
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, 'sip-control.secret'), 'cymru\n', { mode: 0o644 });
  const server = createSipServer({ sip: sipConfig(), publicHost: '127.0.0.1', dataDir, logger: createLogger({ level: 'silent' }) });
  const { secret } = await server.start();
  t.teardown(() => server.stop());
  t.equal(secret, 'cymru');
  t.equal(statSync(join(dataDir, 'sip-control.secret')).mode & 0o777, 0o600, 'permissions tightened');
});

t.test('control port answers on 127.0.0.1 and stop() closes everything', async (t) => {
  const dataDir = tempDir(t);
  const server = createSipServer({ sip: sipConfig(), publicHost: '127.0.0.1', dataDir, logger: createLogger({ level: 'silent' }) });
  const { controlPort, sipPort } = await server.start();
  const socket = net.connect({ host: '127.0.0.1', port: controlPort });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.destroy();
  t.equal(server.stats().apps, 0);
  await server.stop();
  const refused = await new Promise<boolean>((resolve) => {
    const again = net.connect({ host: '127.0.0.1', port: controlPort });
    again.once('connect', () => { again.destroy(); resolve(false); });
    again.once('error', () => resolve(true));
  });
  t.ok(refused, 'control port closed after stop');
  t.ok(sipPort > 0);
  await server.stop();   // idempotent
});
