import t from 'tap';
import { createSocket } from 'node:dgram';
import { randomPortRange, sleep, testEngine } from './fixtures/endpoints.js';
import { MediaPortsExhaustedError } from '../../src/media/engine.js';
import { createMediaEngine } from '../../src/media/engine.js';
import { silentLogger } from '../../src/log.js';

function udpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

t.test('ports are even, come from the range, and running out gives a clear error', async (t) => {
  const range = randomPortRange(8); // 4 even ports
  const engine = testEngine({ portRange: range });
  t.teardown(() => engine.close());
  const endpoints = [];
  for (let i = 0; i < 4; i++) endpoints.push(await engine.openEndpoint());
  const ports = endpoints.map((e) => e.local.port);
  t.ok(ports.every((p) => p % 2 === 0 && p >= range.min && p <= range.max), `even ports in range: ${ports}`);
  t.equal(new Set(ports).size, 4);
  t.match(engine.stats(), { openEndpoints: 4, portsInUse: 4, portsAvailable: 0, clockStreams: 0, skippedFrames: 0 });
  const error = await engine.openEndpoint().catch((err: unknown) => err);
  t.type(error, MediaPortsExhaustedError);
  t.match((error as Error).message, new RegExp(`no free RTP port in ${range.min}-${range.max} on 127.0.0.1 \\(4 even ports, 4 used by us.*widen media.portRange`));
  await endpoints[1]!.close();
  const again = await engine.openEndpoint();
  t.equal(again.local.port, ports[1], 'a released port is usable again');
});

t.test('ports taken by other programs are passed over', async (t) => {
  const range = randomPortRange(4);
  const squatter = createSocket('udp4');
  await new Promise<void>((resolve, reject) => { squatter.once('error', reject); squatter.bind(range.min, '127.0.0.1', () => resolve()); });
  t.teardown(() => squatter.close());
  const engine = testEngine({ portRange: range });
  t.teardown(() => engine.close());
  const endpoint = await engine.openEndpoint();
  t.equal(endpoint.local.port, range.min + 2);
  await t.rejects(engine.openEndpoint(), /2 even ports, 1 used by us, the rest by other programs/);
});

t.test('bad configuration is refused up front', async (t) => {
  t.throws(() => createMediaEngine({ host: '127.0.0.1', portRange: { min: 30000, max: 20000 }, logger: silentLogger() }), /media.portRange 30000-20000 is invalid/);
  const engine = createMediaEngine({ host: '192.0.2.1', portRange: randomPortRange(), logger: silentLogger() });
  await t.rejects(engine.openEndpoint(), /cannot bind RTP socket on 192.0.2.1:\d+ \(EADDRNOTAVAIL\): check media.host/);
  t.equal(engine.stats().portsInUse, 0, 'the failed port went back to the pool');
  await engine.close();
});

t.test('1,000 open/close cycles leave no sockets behind', async (t) => {
  await sleep(50); // let earlier tests' sockets finish closing
  const baseline = udpHandles();
  t.comment(`baseline UDP handles: ${baseline}`);
  const engine = testEngine({ portRange: randomPortRange(40) });
  for (let round = 0; round < 100; round++) {
    const batch = await Promise.all(Array.from({ length: 10 }, () => engine.openEndpoint()));
    batch[0]!.setRemote({ payloadType: 0, codec: 'PCMU', ptimeMs: 20, dtmfPayloadType: 101, direction: 'sendrecv', remote: { address: '127.0.0.1', port: 9 } });
    await Promise.all(batch.map((e) => e.close()));
  }
  t.match(engine.stats(), { openEndpoints: 0, portsInUse: 0, portsAvailable: 20, clockStreams: 0 });
  // Endpoints left open are closed by engine.close().
  await engine.openEndpoint();
  await engine.openEndpoint();
  await engine.close();
  t.equal(engine.stats().portsInUse, 0);
  await t.rejects(engine.openEndpoint(), /media engine is closed/);
  await sleep(20); // handle teardown finishes on the next loop turn
  t.equal(udpHandles(), baseline, 'UDP handles back to baseline');
});
