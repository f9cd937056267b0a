/**
 * A scripted extension speaking raw SIP over UDP, for flows the real clients here cannot
 * drive (attended transfer: baresip has no Replaces). It places calls through the PBX
 * (answering the 407), keeps its dialogs, sends in-dialog requests (REFER), and answers
 * whatever the PBX sends it (NOTIFY, BYE, re-INVITE) with 200, recording each request.
 * UA_TRACE=1 prints every message sent and received (stderr) when a flow needs debugging.
 */
import { createSocket } from 'node:dgram';
import { headerOf, type Teardownable } from '../srf.js';
import { authorization } from './stack.js';

export interface UaDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  remoteTarget: string;
  toUri: string;
  cseq: number;
}

export interface ScriptedUa {
  port: number;
  /** Requests received (method, Call-ID, full text), in order. */
  received: Array<{ method: string; callId: string; text: string }>;
  /** The SDP this UA offers and answers with. */
  sdp: string;
  invite(dialled: string): Promise<UaDialog>;
  /** An in-dialog request; resolves with the final status (a re-INVITE's 200 is ACKed). */
  request(dialog: UaDialog, method: string, headers: string[], body?: string): Promise<number>;
  /** The last final response to `request` (for its body). */
  lastResponse(): string;
  /** Resolves once a request matching `predicate` has arrived (bounded). */
  waitFor(predicate: (r: { method: string; callId: string; text: string }) => boolean, ms?: number): Promise<string>;
  close(): void;
}

const sdpFor = (port: number) => ['v=0', 'o=- 7 7 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

export async function createScriptedUa(t: Teardownable, sipPort: number, user: string, secret: string): Promise<ScriptedUa> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  // RTP goes nowhere: the transferor's audio is not under test.
  const sdp = sdpFor(port + 1);
  const received: ScriptedUa['received'] = [];
  const responseWaiters = new Map<string, (text: string) => void>();
  const requestWaiters = new Set<() => void>();
  let closed = false;
  const close = () => { if (!closed) { closed = true; socket.close(); } };
  t.teardown(close);
  const send = (text: string) => {
    if (process.env['UA_TRACE']) process.stderr.write(`>>> ${user}\n${text}\n`);
    socket.send(text, sipPort, '127.0.0.1');
  };
  let branchCounter = 0;
  let last = '';
  const branch = () => `z9hG4bK-ua${port}-${++branchCounter}`;
  const contact = `<sip:${user}@127.0.0.1:${port}>`;

  socket.on('message', (msg) => {
    const text = msg.toString('utf8');
    if (process.env['UA_TRACE']) process.stderr.write(`<<< ${user}\n${text}\n`);
    if (text.startsWith('SIP/2.0')) {
      const b = /branch=([^;\s]+)/.exec(headerOf(text, 'Via') ?? '')?.[1];
      if (b !== undefined && !/^SIP\/2\.0 1\d\d/.test(text)) responseWaiters.get(b)?.(text);
      return;
    }
    const method = text.slice(0, text.indexOf(' '));
    const callId = headerOf(text, 'Call-ID') ?? '';
    if (method === 'ACK') return;
    received.push({ method, callId, text });
    const body = method === 'INVITE' ? sdp : '';
    send(okFor(text, contact, body, 'ua-in'));
    for (const wake of [...requestWaiters]) wake();
  });

  const transact = (build: (branch: string) => string, ms = 8000): Promise<{ text: string; branch: string }> => {
    const b = branch();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { responseWaiters.delete(b); reject(new Error(`no final response (${b})`)); }, ms);
      responseWaiters.set(b, (text) => { clearTimeout(timer); responseWaiters.delete(b); resolve({ text, branch: b }); });
      send(build(b));
    });
  };

  return {
    port, received, close,
    async invite(dialled) {
      const uri = `sip:${dialled}@127.0.0.1:${sipPort}`;
      const callId = `ua-${port}-${dialled}-${Math.random().toString(36).slice(2, 8)}`;
      const localTag = `t${Math.random().toString(36).slice(2, 8)}`;
      const from = `"Ext ${user}" <sip:${user}@127.0.0.1>;tag=${localTag}`;
      const build = (cseq: number, extra: string[]) => (b: string) => [
        `INVITE ${uri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${b};rport`, `From: ${from}`, `To: <${uri}>`,
        `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: ${contact}`, 'Max-Forwards: 70', ...extra,
        'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp,
      ].join('\r\n');
      const ackFor = (text: string, cseq: number, b: string, requestUri: string) => send([
        `ACK ${requestUri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${b};rport`, `From: ${from}`,
        `To: ${headerOf(text, 'To')}`, `Call-ID: ${callId}`, `CSeq: ${cseq} ACK`, 'Max-Forwards: 70', 'Content-Length: 0', '', '',
      ].join('\r\n'));
      let cseq = 1;
      let answer = await transact(build(cseq, []), 15_000);
      if (answer.text.startsWith('SIP/2.0 407')) {
        ackFor(answer.text, cseq, answer.branch, uri);
        cseq++;
        const auth = authorization({ user, password: secret, uri, method: 'INVITE', challenge: headerOf(answer.text, 'Proxy-Authenticate')! });
        answer = await transact(build(cseq, [`Proxy-Authorization: ${auth}`]), 15_000);
      }
      if (!answer.text.startsWith('SIP/2.0 200')) {
        ackFor(answer.text, cseq, answer.branch, uri);
        throw new Error(`call to ${dialled} failed: ${answer.text.split('\r\n')[0]}`);
      }
      const remoteTarget = /<([^>]+)>/.exec(headerOf(answer.text, 'Contact') ?? '')?.[1] ?? uri;
      const remoteTag = /;tag=([^;\s>]+)/.exec(headerOf(answer.text, 'To') ?? '')?.[1] ?? '';
      ackFor(answer.text, cseq, branch(), remoteTarget);
      return { callId, localTag, remoteTag, remoteTarget, toUri: uri, cseq };
    },
    async request(dialog, method, headers, body = '') {
      dialog.cseq++;
      const cseq = dialog.cseq;
      const line = (m: string, b: string, c: number) => [
        `${m} ${dialog.remoteTarget} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${b};rport`,
        `From: "Ext ${user}" <sip:${user}@127.0.0.1>;tag=${dialog.localTag}`, `To: <${dialog.toUri}>;tag=${dialog.remoteTag}`,
        `Call-ID: ${dialog.callId}`, `CSeq: ${c} ${m}`, `Contact: ${contact}`, 'Max-Forwards: 70',
      ];
      const { text } = await transact((b) => [
        ...line(method, b, cseq), ...headers,
        ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body,
      ].join('\r\n'));
      last = text;
      if (method === 'INVITE' && text.startsWith('SIP/2.0 2')) send([...line('ACK', branch(), cseq), 'Content-Length: 0', '', ''].join('\r\n'));
      return Number(text.slice(8, 11));
    },
    lastResponse: () => last,
    sdp,
    waitFor(predicate, ms = 8000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(predicate);
          if (found === undefined) return false;
          requestWaiters.delete(check);
          clearTimeout(timer);
          resolve(found.text);
          return true;
        };
        const timer = setTimeout(() => { requestWaiters.delete(check); reject(new Error('expected request did not arrive')); }, ms);
        if (!check()) requestWaiters.add(check);
      });
    },
  };
}

/** `<sip:103@host?Replaces=…>` naming `dialog` as its owner sees it (RFC 3891 tags). */
export function referToWithReplaces(target: string, dialog: UaDialog): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `<${target}?Replaces=${enc(dialog.callId)}%3Bto-tag%3D${enc(dialog.remoteTag)}%3Bfrom-tag%3D${enc(dialog.localTag)}>`;
}

/** A 200 OK for a request the scripted phone received (tagging the To if the request had none). */
export function okFor(request: string, contact: string, sdpBody: string, tag: string): string {
  const to = headerOf(request, 'To') ?? '';
  return [
    'SIP/2.0 200 OK',
    ...request.split('\r\n').filter((l) => /^(Via|From|Call-ID|CSeq):/i.test(l)),
    `To: ${to}${/;tag=/.test(to) ? '' : `;tag=${tag}`}`,
    `Contact: ${contact}`,
    ...(sdpBody ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdpBody)}`, '', sdpBody,
  ].join('\r\n');
}
