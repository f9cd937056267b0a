/**
 * Port numbers for parts that must be told a port up front: SIPp (-p, -mp), baresip
 * (sip_listen, ctrl_tcp, rtp_ports), linphonec, a mail server started after its config, a
 * media engine's RTP range.
 *
 * "Bind port 0, read the number, close" is racy: the number comes from the kernel's
 * ephemeral range, and any process opening an outgoing TCP connection (another test file,
 * a browser, npm) may take it before our tool binds it. CI once failed on exactly that
 * (`listen EADDRINUSE 127.0.0.1:60374`). So ports are picked at random from zones outside
 * the ephemeral range, where only an explicit bind can take them, and checked bindable;
 * parallel test files rarely pick the same one, and this process never hands one out twice.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface PortRange { min: number; max: number }
export type PortKind = 'udp' | 'tcp' | 'udp+tcp';

/** Single ports for tools. */
const SINGLE_PORT_ZONE: PortRange = { min: 10000, max: 19999 };
/** RTP ranges (media engines, baresip's rtp_ports): kept apart from single ports. */
const RANGE_ZONE: PortRange = { min: 20000, max: 32767 };
const ATTEMPTS = 200;

let ephemeral: PortRange | undefined;

/** Read once per process: the range does not change while tests run. */
function ephemeralRange(): PortRange {
  ephemeral ??= readEphemeralRange();
  return ephemeral;
}

function readEphemeralRange(): PortRange {
  try {
    const [min, max] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(min) && Number.isInteger(max)) return { min: min!, max: max! };
  } catch { /* not Linux: assume the Linux default */ }
  return { min: 32768, max: 60999 };
}

/** The parts of `zone` the kernel never hands out on its own. */
function outsideEphemeral(zone: PortRange): PortRange[] {
  const eph = ephemeralRange();
  const parts: PortRange[] = [];
  if (zone.min < eph.min) parts.push({ min: zone.min, max: Math.min(zone.max, eph.min - 1) });
  if (zone.max > eph.max) parts.push({ min: Math.max(zone.min, eph.max + 1), max: zone.max });
  return parts.filter((p) => p.max >= p.min);
}

/** A random start in `zone` (outside the ephemeral range) leaving room for `width` ports, a multiple of `align`. */
function randomStart(zone: PortRange, width: number, align: number): number | null {
  const fits = outsideEphemeral(zone).filter((p) => p.max - p.min + 1 >= width);
  if (fits.length === 0) return null;
  const part = fits[Math.floor(Math.random() * fits.length)]!;
  const first = Math.ceil(part.min / align) * align;
  const slots = Math.floor((part.max - width + 1 - first) / align) + 1;
  if (slots <= 0) return null;
  return first + align * Math.floor(Math.random() * slots);
}

const handedOut = new Set<number>();

function canBindUdp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => { try { socket.close(); } catch { /* never bound */ } resolve(false); });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

function canBindTcp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** True when `port` can be bound right now for every protocol in `kind`. */
export async function canBind(port: number, kind: PortKind, host = '127.0.0.1'): Promise<boolean> {
  if (kind !== 'tcp' && !(await canBindUdp(port, host))) return false;
  if (kind !== 'udp' && !(await canBindTcp(port, host))) return false;
  return true;
}

/** The kernel's choice: only when no zone outside the ephemeral range exists on this machine. */
function kernelPort(kind: PortKind, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind(0, host, () => { const { port } = socket.address(); socket.close(() => resolve(port)); });
      return;
    }
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => { const { port } = server.address() as { port: number }; server.close(() => resolve(port)); });
  });
}

/**
 * A port free right now for `kind` on `host`, outside the ephemeral range. `span` > 1 asks
 * for that many consecutive free ports (e.g. baresip's SIP port plus its TLS port + 1).
 */
export async function freePort(kind: PortKind = 'udp', host = '127.0.0.1', span = 1): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = randomStart(SINGLE_PORT_ZONE, span, 1);
    if (port === null) break;
    const ports = Array.from({ length: span }, (_, i) => port + i);
    if (ports.some((p) => handedOut.has(p))) continue;
    let free = true;
    for (const p of ports) if (!(await canBind(p, kind, host))) { free = false; break; }
    if (!free) continue;
    for (const p of ports) handedOut.add(p);
    return port;
  }
  if (span === 1) return kernelPort(kind, host);
  throw new Error(`no ${span} consecutive free ${kind} ports on ${host} in ${SINGLE_PORT_ZONE.min}-${SINGLE_PORT_ZONE.max}`);
}

/**
 * An even-aligned range of `width` ports for RTP, outside the ephemeral range and apart from
 * single ports. Not checked: media engines skip ports in use by themselves.
 */
export function randomPortRange(width = 200): PortRange {
  const min = randomStart(RANGE_ZONE, width, 2) ?? RANGE_ZONE.min;
  return { min, max: min + width - 1 };
}

/** Like randomPortRange, for tools that fail on a busy port: the first two ports are checked. */
export async function freePortRange(width: number, host = '127.0.0.1'): Promise<PortRange> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const range = randomPortRange(width);
    if ((await canBind(range.min, 'udp', host)) && (await canBind(range.min + 1, 'udp', host))) return range;
  }
  return randomPortRange(width);
}
