/**
 * Wire helpers for the robustness tests: point a message's top Via at our own socket (so
 * every answer comes back to 127.0.0.1 and can be matched by Call-ID), a UDP collector,
 * and a bounded TCP exchange.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';

const TOP_VIA = /^(Via|v)[ \t]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*[A-Za-z]+[ \t]+[^;,\r\n]+/im;

/** Top Via sent-by → 127.0.0.1:port over `proto` (other bytes untouched). */
export function viaToUs(data: Buffer, port: number, proto: 'UDP' | 'TCP' = 'UDP'): Buffer {
  const text = data.toString('latin1');
  if (!TOP_VIA.test(text)) return data;
  return Buffer.from(text.replace(TOP_VIA, `Via: SIP/2.0/${proto} 127.0.0.1:${port}`), 'latin1');
}

export function callIdOf(text: string): string | undefined {
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1];
}

/** branch parameter of the top Via. */
export function branchOf(text: string): string | undefined {
  return /^(?:Via|v)[ \t]*:[^\r\n]*?;[ \t]*branch[ \t]*=[ \t]*([^;,\s]+)/im.exec(text)?.[1];
}

export function statusOf(text: string): number | null {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(text);
  return m ? Number(m[1]) : null;
}

export interface UdpCollector {
  port: number;
  replies: string[];
  send(data: Buffer, port: number): Promise<void>;
  /** Resolves once `pattern` matched a reply (scanning all so far), or null after `ms`. */
  waitFor(pattern: (reply: string) => boolean, ms: number): Promise<string | null>;
  close(): void;
}

export async function udpCollector(): Promise<UdpCollector> {
  const socket: UdpSocket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const replies: string[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (m) => {
    replies.push(m.toString('latin1'));
    for (const w of [...waiters]) w();
  });
  let closed = false;
  return {
    port: socket.address().port,
    replies,
    send: (data, port) => new Promise((resolve) => socket.send(data, port, '127.0.0.1', () => resolve())),
    waitFor: (pattern, ms) => new Promise((resolve) => {
      const check = (): void => {
        const found = replies.find(pattern);
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => { waiters.delete(check); resolve(null); }, ms);
      waiters.add(check);
      check();
    }),
    close: () => { if (!closed) { closed = true; socket.close(); } },
  };
}

export interface TcpExchange {
  /** Everything the server wrote before the connection closed or `ms` passed. */
  received: string;
  closedByServer: boolean;
}

/**
 * Opens a connection, writes `chunks` (each after the previous was flushed, with a tick in
 * between so the server sees partial data), waits until `done(received)` or `ms`, closes.
 */
export function tcpExchange(port: number, input: Buffer[] | ((localPort: number) => Buffer[]), opts: { ms: number; done?: (received: string) => boolean; halfClose?: boolean }): Promise<TcpExchange> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let closedByServer = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, closedByServer });
    };
    const timer = setTimeout(finish, opts.ms);
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (opts.done?.(received) === true) finish();
    });
    socket.on('end', () => { closedByServer = true; finish(); });
    socket.on('close', () => { if (!finished) closedByServer = true; finish(); });
    // An error on a loopback connection we opened is the server resetting it.
    socket.on('error', () => { closedByServer = true; finish(); });
    socket.once('connect', async () => {
      // Messages should name their own connection's port in Via: the server may route a
      // response by sent-by, and several connections claiming one port would get each other's.
      const chunks = typeof input === 'function' ? input(socket.localPort ?? 0) : input;
      for (const chunk of chunks) {
        if (finished) return;
        await new Promise<void>((r) => socket.write(chunk, () => r()));
        await new Promise((r) => setImmediate(r));
      }
      if (opts.halfClose === true && !finished) socket.end();
    });
  });
}

export function options(callId: string, port: number, proto: 'UDP' | 'TCP', user = 'probe'): Buffer {
  return Buffer.from([
    `OPTIONS sip:${user}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${proto} 127.0.0.1:${port};branch=z9hG4bK-${callId};rport`,
    'Max-Forwards: 70',
    `From: <sip:robust@127.0.0.1>;tag=r-${callId}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '', '',
  ].join('\r\n'), 'latin1');
}

export function message(callId: string, port: number, proto: 'UDP' | 'TCP'): Buffer {
  return Buffer.from(options(callId, port, proto).toString('latin1').replace(/OPTIONS/g, 'MESSAGE'), 'latin1');
}

export function countStatuses(text: string): number[] {
  return [...text.matchAll(/SIP\/2\.0 (\d{3}) /g)].map((m) => Number(m[1]));
}
