import t from 'tap';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { canBind, freePort, freePortRange, randomPortRange } from './ports.js';

const [ephMin, ephMax] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
const outsideEphemeral = (port: number) => port < ephMin || port > ephMax;

t.test('freePort hands out bindable ports outside the ephemeral range, never the same twice', async (t) => {
  const seen = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const port = await freePort('udp+tcp');
    t.ok(outsideEphemeral(port), `${port} is outside ${ephMin}-${ephMax}`);
    t.notOk(seen.has(port), `${port} not handed out before`);
    seen.add(port);
    t.ok(await canBind(port, 'udp+tcp'), `${port} can be bound`);
  }
});

t.test('freePort with a span gives consecutive free ports', async (t) => {
  const port = await freePort('udp+tcp', '127.0.0.1', 2);
  t.ok(await canBind(port, 'udp+tcp'));
  t.ok(await canBind(port + 1, 'udp+tcp'));
});

t.test('canBind sees a port that is taken', async (t) => {
  const port = await freePort('udp');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  t.teardown(() => socket.close());
  t.equal(await canBind(port, 'udp'), false);
});

t.test('RTP ranges are even-aligned, of the asked width, outside the ephemeral range', async (t) => {
  for (let i = 0; i < 50; i++) {
    const { min, max } = randomPortRange(40);
    t.equal(min % 2, 0, `${min} is even`);
    t.equal(max - min + 1, 40);
    t.ok(outsideEphemeral(min) && outsideEphemeral(max), `${min}-${max} outside ${ephMin}-${ephMax}`);
  }
  const checked = await freePortRange(20);
  t.ok(await canBind(checked.min, 'udp'));
});
