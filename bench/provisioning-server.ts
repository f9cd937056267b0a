/**
 * The process under test for the provisioning benchmarks: a temp data dir with N devices,
 * the real pipeline behind fastify (provisioning routes + @fastify/static serving the same
 * bytes from disk for comparison) and the TFTP server. Prints {httpPort, tftpPort, macs}
 * when ready; answers "stats" on stdin with peak RSS and row counts; "exit" stops it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import { loadConfig } from '../src/config.js';
import { openRepositories } from '../src/data/index.js';
import { createLogger } from '../src/log.js';
import { loadDeviceModels } from '../src/provisioning/models.js';
import { createProfileRenderer } from '../src/provisioning/render.js';
import { createProvisioningService } from '../src/provisioning/pipeline.js';
import { registerProvisioningRoutes } from '../src/provisioning/http-routes.js';
import { createTftpServer } from '../src/provisioning/tftp-server.js';
import { seedDevices } from './provisioning-common.js';

const devices = Number(process.argv[2] ?? 1000);
const dataDir = mkdtempSync(join(tmpdir(), 'hookflash-bench-'));
const staticDir = join(dataDir, 'static');
const logger = createLogger({ level: 'warn', destination: process.stderr });

const app = Fastify({ logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const httpPort = typeof address === 'object' && address ? address.port : 0;
// Profiles must name the real port, known only after listen; close and rebuild on that port.
await app.close();

const config = loadConfig({
  env: {},
  overrides: { dataDir, publicHost: '127.0.0.1', http: { host: '127.0.0.1', port: httpPort }, tftp: { enabled: true, host: '127.0.0.1', port: 0 } },
});
const repos = openRepositories({ dataDir, logger });
const macs = seedDevices(repos, devices);
const models = loadDeviceModels();
const renderer = createProfileRenderer({
  models,
  env: { publicHost: '127.0.0.1', httpPort, sipPort: 5060, sipDomain: null, provisioning: config.provisioning, settings: repos.settings.all() },
});
const service = createProvisioningService({ repos, renderer, models, config, logger, firmwareDir: join(dataDir, 'firmware') });

// The static baseline serves exactly the bytes the pipeline renders for each device.
mkdirSync(join(staticDir, 'spa'), { recursive: true });
for (const mac of macs) {
  const device = repos.devices.get(mac)!;
  const extensions = new Map(device.lines.map((n) => [n, repos.extensions.get(n)!]));
  writeFileSync(join(staticDir, 'spa', `${mac}.xml`), renderer.renderDevice(device, extensions, { report: null }).body);
}

const server = Fastify({ logger: false });
registerProvisioningRoutes(server, { service, config, logger });
await server.register(fastifyStatic, { root: staticDir, prefix: '/static/', cacheControl: false, etag: false, lastModified: false });
await server.listen({ host: '127.0.0.1', port: httpPort });

const tftp = createTftpServer({ service, host: '127.0.0.1', port: 0, logger });
const tftpStarted = await tftp.start();
if (!tftpStarted.ok) throw new Error(tftpStarted.error);

process.stdout.write(`${JSON.stringify({ httpPort, tftpPort: tftpStarted.port, macs })}\n`);

const input = createInterface({ input: process.stdin });
input.on('line', async (line) => {
  if (line === 'stats') {
    await service.flush();
    const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    process.stdout.write(`${JSON.stringify({
      maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
      rssMiB: mib(process.memoryUsage().rss),
      sightings: repos.sightings.recent(1)[0]?.id ?? 0,
      logEntries: repos.provisioningLog.recent(1)[0]?.id ?? 0,
    })}\n`);
  } else if (line === 'exit') {
    await tftp.stop();
    await server.close();
    await service.close();
    repos.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
});
