/**
 * A scripted UDP phone with real media: its RTP side is a media-engine endpoint (so it can
 * send RFC 4733 DTMF and record what it hears), its SIP side is raw text like scripted-ua.ts.
 * It registers, places calls (answering 407), sends INFO DTMF and BYE, SUBSCRIBEs (answering
 * 401), and answers whatever the PBX sends (NOTIFY, BYE) with 200, recording each request.
 */
import { createSocket } from 'node:dgram';
import { createOffer, parseAnswer, type MediaEndpoint, type MediaEngine } from '../../../src/media/index.js';
import { headerOf, type Teardownable } from '../srf.js';
import { authorization } from './stack.js';
import { okFor } from './scripted-ua.js';

export interface MediaUaDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  remoteTarget: string;
  toUri: string;
  cseq: number;
}

export interface ReceivedRequest { method: string; callId: string; text: string; body: string }

export interface MediaUa {
  port: number;
  received: ReceivedRequest[];
  register(expires?: number): Promise<number>;
  /** Places a call; resolves once answered (200 ACKed) with the dialog and the phone's endpoint. */
  call(dialled: string): Promise<{ dialog: MediaUaDialog; endpoint: MediaEndpoint }>;
  /** In-dialog request; resolves with the final status. */
  request(dialog: MediaUaDialog, method: string, headers: string[], body?: string, contentType?: string): Promise<number>;
  /** SUBSCRIBE (answering 401); resolves with the final status and the subscription dialog's Call-ID. */
  subscribe(target: string, event: string, expires: number): Promise<{ status: number; callId: string }>;
  waitFor(predicate: (r: ReceivedRequest) => boolean, ms?: number): Promise<ReceivedRequest>;
  /** The final response to the last in-dialog request (a re-INVITE's SDP answer). */
  lastResponse(): string;
  close(): void;
}

const bodyOf = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);

export async function createMediaUa(t: Teardownable, sipPort: number, user: string, secret: string, engine: MediaEngine): Promise<MediaUa> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const contact = `<sip:${user}@127.0.0.1:${port}>`;
  const received: ReceivedRequest[] = [];
  const responseWaiters = new Map<string, (text: string) => void>();
  const requestWaiters = new Set<() => void>();
  const endpoints = new Set<MediaEndpoint>();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    socket.close();
    for (const e of endpoints) void e.close();
  };
  t.teardown(close);
  const send = (text: string) => { if (!closed) socket.send(text, sipPort, '127.0.0.1'); };
  let counter = 0;
  const branch = () => `z9hG4bK-mua${port}-${++counter}`;
  let currentSdp = '';
  let lastResponse = '';

  socket.on('message', (msg) => {
    const text = msg.toString('utf8');
    if (text.startsWith('SIP/2.0')) {
      const b = /branch=([^;\s]+)/.exec(headerOf(text, 'Via') ?? '')?.[1];
      if (b !== undefined && !/^SIP\/2\.0 1\d\d/.test(text)) responseWaiters.get(b)?.(text);
      return;
    }
    const method = text.slice(0, text.indexOf(' '));
    if (method === 'ACK') return;
    received.push({ method, callId: headerOf(text, 'Call-ID') ?? '', text, body: bodyOf(text) });
    const body = method === 'INVITE' ? currentSdp : '';
    send(okFor(text, contact, body, 'mua-in'));
    for (const wake of [...requestWaiters]) wake();
  });

  const transact = (build: (b: string) => string, ms = 8000): Promise<{ text: string; branch: string }> => {
    const b = branch();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { responseWaiters.delete(b); reject(new Error(`no final response (${b})`)); }, ms);
      responseWaiters.set(b, (text) => { clearTimeout(timer); responseWaiters.delete(b); resolve({ text, branch: b }); });
      send(build(b));
    });
  };

  /** Sends a dialog-creating or out-of-dialog request, answering one digest challenge. */
  async function withAuth(method: string, uri: string, callId: string, from: string, extra: string[], body: string, contentType: string) {
    const build = (cseq: number, auth: string[]) => (b: string) => [
      `${method} ${uri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${b};rport`, `From: ${from}`,
      `To: <${method === 'REGISTER' ? `sip:${user}@127.0.0.1` : uri}>`, `Call-ID: ${callId}`, `CSeq: ${cseq} ${method}`,
      `Contact: ${contact}`, 'Max-Forwards: 70', ...extra, ...auth,
      ...(body ? [`Content-Type: ${contentType}`] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body,
    ].join('\r\n');
    let cseq = 1;
    let answer = await transact(build(cseq, []), 15_000);
    const status = Number(answer.text.slice(8, 11));
    if (status === 401 || status === 407) {
      if (method === 'INVITE') ack(answer.text, uri, callId, from, cseq, answer.branch);
      cseq++;
      const header = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
      const auth = authorization({ user, password: secret, uri, method, challenge: headerOf(answer.text, header)! });
      answer = await transact(build(cseq, [`${status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${auth}`]), 15_000);
    }
    return { ...answer, cseq };
  }

  function ack(text: string, requestUri: string, callId: string, from: string, cseq: number, b: string): void {
    send([
      `ACK ${requestUri} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${b};rport`, `From: ${from}`,
      `To: ${headerOf(text, 'To')}`, `Call-ID: ${callId}`, `CSeq: ${cseq} ACK`, 'Max-Forwards: 70', 'Content-Length: 0', '', '',
    ].join('\r\n'));
  }

  const newCallId = (what: string) => `mua-${port}-${what}-${Math.random().toString(36).slice(2, 8)}`;
  const newTag = () => `t${Math.random().toString(36).slice(2, 8)}`;

  return {
    port, received, close,
    lastResponse: () => lastResponse,
    async register(expires = 600) {
      const uri = `sip:127.0.0.1:${sipPort}`;
      const { text } = await withAuth('REGISTER', uri, newCallId('reg'), `<sip:${user}@127.0.0.1>;tag=${newTag()}`, [`Expires: ${expires}`], '', '');
      return Number(text.slice(8, 11));
    },
    async call(dialled) {
      const endpoint = await engine.openEndpoint();
      endpoints.add(endpoint);
      currentSdp = createOffer({ address: '127.0.0.1', port: endpoint.local.port, sessionId: port });
      const uri = `sip:${dialled}@127.0.0.1:${sipPort}`;
      const callId = newCallId(dialled);
      const localTag = newTag();
      const from = `"Ext ${user}" <sip:${user}@127.0.0.1>;tag=${localTag}`;
      const answer = await withAuth('INVITE', uri, callId, from, [], currentSdp, 'application/sdp');
      if (!answer.text.startsWith('SIP/2.0 200')) {
        ack(answer.text, uri, callId, from, answer.cseq, answer.branch);
        await endpoint.close();
        throw new Error(`call to ${dialled} failed: ${answer.text.split('\r\n')[0]}`);
      }
      const parsed = parseAnswer(bodyOf(answer.text));
      if (!parsed.ok) throw new Error(`unusable SDP answer: ${parsed.reason}`);
      endpoint.setRemote(parsed.negotiated);
      const remoteTarget = /<([^>]+)>/.exec(headerOf(answer.text, 'Contact') ?? '')?.[1] ?? uri;
      const remoteTag = /;tag=([^;\s>]+)/.exec(headerOf(answer.text, 'To') ?? '')?.[1] ?? '';
      ack(answer.text, remoteTarget, callId, from, answer.cseq, branch());
      return { dialog: { callId, localTag, remoteTag, remoteTarget, toUri: uri, cseq: answer.cseq }, endpoint };
    },
    async request(dialog, method, headers, body = '', contentType = 'application/sdp') {
      dialog.cseq++;
      const cseq = dialog.cseq;
      const head = (m: string, b: string) => [
        `${m} ${dialog.remoteTarget} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${b};rport`,
        `From: "Ext ${user}" <sip:${user}@127.0.0.1>;tag=${dialog.localTag}`, `To: <${dialog.toUri}>;tag=${dialog.remoteTag}`,
        `Call-ID: ${dialog.callId}`, `CSeq: ${cseq} ${m}`, `Contact: ${contact}`, 'Max-Forwards: 70',
      ];
      const { text } = await transact((b) => [
        ...head(method, b), ...headers,
        ...(body ? [`Content-Type: ${contentType}`] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body,
      ].join('\r\n'));
      lastResponse = text;
      if (method === 'INVITE' && text.startsWith('SIP/2.0 2')) send([...head('ACK', branch()), 'Content-Length: 0', '', ''].join('\r\n'));
      return Number(text.slice(8, 11));
    },
    async subscribe(target, event, expires) {
      const uri = `sip:${target}@127.0.0.1:${sipPort}`;
      const callId = newCallId('sub');
      const { text } = await withAuth('SUBSCRIBE', uri, callId, `<sip:${user}@127.0.0.1>;tag=${newTag()}`,
        [`Event: ${event}`, `Expires: ${expires}`, 'Accept: application/simple-message-summary'], '', '');
      return { status: Number(text.slice(8, 11)), callId };
    },
    waitFor(predicate, ms = 8000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(predicate);
          if (found === undefined) return false;
          requestWaiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => { requestWaiters.delete(check); reject(new Error('expected request did not arrive')); }, ms);
        if (!check()) requestWaiters.add(check);
      });
    },
  };
}
