/**
 * Peak RSS of the real `hookflash serve` (compiled, as `npm start` runs it) with 1,000 devices:
 * imports them with `hookflash import`, starts serve on free ports, drives every device's
 * per-MAC profile over HTTP (autocannon, 50 connections) and a TFTP bootstrap fetch per device,
 * then reads the process's high-water mark (VmHWM) from /proc.
 *
 *   npm run build && npx tsx bench/serve-rss.ts        (BENCH_DEVICES=1000, BENCH_SECONDS=10)
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { autocannon, machine, deviceMac } from './provisioning-common.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/src/cli/bin.js');
const devices = Number(process.env.BENCH_DEVICES ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

const work = mkdtempSync(join(tmpdir(), 'hookflash-rss-'));
const dataDir = join(work, 'data');
const configFile = join(work, 'hookflash.json');
writeFileSync(configFile, JSON.stringify({ sip: { controlPort: 0 }, log: { level: 'warn' } }));

// 1,000 devices: even SPA303 with two lines, odd SPA112 with one port (1,500 extensions).
const rows = ['type,number,name,password,mac,model,lines'];
let next = 2000;
for (let i = 0; i < devices; i++) {
  const lines: number[] = [];
  for (let l = 0; l < (i % 2 === 0 ? 2 : 1); l++) {
    rows.push(`extension,${next},User ${next},secret-${next}-pw,,,`);
    lines.push(next++);
  }
  rows.push(`device,,,,${deviceMac(i)},${i % 2 === 0 ? 'spa303' : 'spa112'},${lines.join(';')}`);
}
writeFileSync(join(work, 'devices.csv'), rows.join('\n') + '\n');
execFileSync(process.execPath, [bin, '--config', configFile, '--data-dir', dataDir, 'import', join(work, 'devices.csv')], { stdio: 'ignore' });

const child = spawn(process.execPath, [bin, '--config', configFile, '--data-dir', dataDir, 'serve'], {
  env: { ...process.env, HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: '0', HOOKFLASH_SIP_PORT: '0', HOOKFLASH_PUBLIC_HOST: '127.0.0.1', HOOKFLASH_LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'ignore'],
});
const ports = await new Promise<{ http: number; tftp: number }>((res, rej) => {
  const timer = setTimeout(() => rej(new Error('serve did not start in 30 s')), 30_000);
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (const line of buf.split('\n')) {
      if (line.includes('"hookflash started"')) { clearTimeout(timer); res(JSON.parse(line).ports); }
    }
    buf = buf.slice(buf.lastIndexOf('\n') + 1);
  });
});
const hwm = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (name: string) => Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1] ?? 0);
  return { peakMiB: kib('VmHWM:') / 1024, rssMiB: kib('VmRSS:') / 1024 };
};
const idle = hwm();

let i = 0;
const result = await autocannon({
  url: `http://127.0.0.1:${ports.http}`, connections: 50, duration: seconds,
  // Each request is one device asking for its own profile: the User-Agent carries that MAC
  // (a UA MAC that differs from the path is refused by the pipeline).
  requests: [{ method: 'GET', setupRequest: (req) => {
    const n = i++ % devices;
    const mac = deviceMac(n);
    const model = n % 2 === 0 ? 'SPA303-7.6.2c' : 'SPA112-1.4.1(SR5)';
    return { ...req, path: `/spa/${mac}.xml`, headers: { 'user-agent': `Cisco/${model} (${mac.toUpperCase()})(CCQ12345678)` } };
  } }],
});
// One TFTP bootstrap per device, 20 at a time (tftp-hpa), so the TFTP side is exercised too.
for (let d = 0; d < devices; d += 20) {
  await Promise.all(Array.from({ length: Math.min(20, devices - d) }, (_, k) => new Promise<void>((res) => {
    const p = spawn('tftp', ['-m', 'octet', '127.0.0.1', String(ports.tftp), '-c', 'get', d + k < devices / 2 ? 'spa303.cfg' : 'spa112.cfg', join(work, `b${d + k}`)], { stdio: 'ignore' });
    p.on('exit', () => res());
  })));
}
const after = hwm();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(work, { recursive: true, force: true });

console.log(`### Peak RSS of \`hookflash serve\` with ${devices} devices

- command: \`npm run build && npx tsx bench/serve-rss.ts\` (BENCH_DEVICES=${devices}, BENCH_SECONDS=${seconds})
- machine: ${machine()}
- date: ${new Date().toISOString()}
- process: \`node dist/src/cli/bin.js serve\` (HTTP + TFTP + SIP server + PBX + web), ${devices} devices / ${next - 2000} extensions imported with \`hookflash import\`

| phase | RSS MiB | peak (VmHWM) MiB |
|---|---:|---:|
| started, idle | ${idle.rssMiB.toFixed(1)} | ${idle.peakMiB.toFixed(1)} |
| after ${seconds} s of per-MAC HTTP at 50 connections (${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors) + ${devices} TFTP bootstraps | ${after.rssMiB.toFixed(1)} | ${after.peakMiB.toFixed(1)} |
`);
