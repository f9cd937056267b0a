/**
 * A scripted UDP phone for REGISTER cases SIPp scenarios express badly (moving clocks,
 * several contacts, wildcard, lock-out): each call sends one REGISTER and returns the
 * final response text.
 */
import { createUdpPeer, headerOf, type Teardownable } from '../srf.js';
import { authorization } from './stack.js';
import { freePort } from '../ports.js';

export interface RegisterReply {
  status: number;
  text: string;
  header(name: string): string | undefined;
}

export interface RegisterClient {
  port: number;
  callId: string;
  /** Sends REGISTER (CSeq increments per call); `contacts` raw Contact header values. */
  register(opts: { contacts?: string[]; expires?: number; authorization?: string; user?: string; cseq?: number }): Promise<RegisterReply>;
  /** Challenge, then answer it with `password`; returns the final reply. */
  registerWithAuth(opts: { password: string; contacts?: string[]; expires?: number; user?: string }): Promise<RegisterReply>;
  /** The Contact this client uses by default. */
  contact: string;
  /** Frees the port (e.g. for SIPp to take it over as the registered phone). */
  close(): void;
}

export async function createRegisterClient(t: Teardownable, serverPort: number, user = '102', localPort = 0): Promise<RegisterClient> {
  const peer = await createUdpPeer(t, serverPort, localPort);
  const callId = `reg-${Math.random().toString(36).slice(2)}`;
  const requestUri = `sip:127.0.0.1:${serverPort}`;
  let cseq = 0;
  const contact = `<sip:${user}@127.0.0.1:${peer.port}>`;

  async function register(opts: { contacts?: string[]; expires?: number; authorization?: string; user?: string; cseq?: number }): Promise<RegisterReply> {
    cseq = opts.cseq ?? cseq + 1;
    const aor = opts.user ?? user;
    const branch = `z9hG4bK${callId}-${cseq}-${Math.random().toString(36).slice(2, 8)}`;
    peer.send([
      `REGISTER ${requestUri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:{local};branch=${branch};rport`,
      `From: <sip:${aor}@127.0.0.1>;tag=f${callId}`,
      `To: <sip:${aor}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      ...(opts.contacts ?? [contact]).map((c) => `Contact: ${c}`),
      ...(opts.expires === undefined ? [] : [`Expires: ${opts.expires}`]),
      ...(opts.authorization ? [`Authorization: ${opts.authorization}`] : []),
      'User-Agent: Cisco/SPA303-7.6.2c',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '', '',
    ].join('\r\n'));
    const text = await peer.next(new RegExp(`^SIP/2\\.0 [2-6]\\d\\d[\\s\\S]*branch=${branch}`), 4000);
    return { status: Number(text.slice(8, 11)), text, header: (name) => headerOf(text, name) };
  }

  return {
    port: peer.port,
    callId,
    contact,
    register,
    close: () => peer.close(),
    async registerWithAuth(opts) {
      const first = await register({ ...opts });
      if (first.status !== 401) return first;
      const auth = authorization({ user: opts.user ?? user, password: opts.password, uri: requestUri, challenge: first.header('WWW-Authenticate')! });
      return register({ ...opts, authorization: auth });
    },
  };
}

/**
 * Registers `user` from a port and frees it for a real client (SIPp) to take over as the
 * registered phone. The port comes from freePort, outside the kernel's ephemeral range: a port
 * the kernel picked could be handed to any other socket on the machine in the moment between
 * our close and the client's bind.
 */
export async function registerForHandoff(t: Teardownable, serverPort: number, user: string, secret: string, expires = 600): Promise<number> {
  const client = await createRegisterClient(t, serverPort, user, await freePort('udp'));
  const reply = await client.registerWithAuth({ password: secret, expires });
  client.close();
  if (reply.status !== 200) throw new Error(`registering ${user} failed: ${reply.status}`);
  return client.port;
}
