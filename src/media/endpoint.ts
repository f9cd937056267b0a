import type { Socket, RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { ValidationError } from '../errors.js';
import type { MediaClock } from './clock.js';
import { createDtmfReceiver, createDtmfSender, isDtmfDigit } from './dtmf.js';
import { codecForStaticPayloadType, decodeG711, DEFAULT_DTMF_PAYLOAD_TYPE, encodeG711, SAMPLES_PER_MS, type G711Codec } from './g711.js';
import { createPlayback, type AudioLoader, type Playback, type PlaybackReader, type PlayOptions, type PlaySource } from './player.js';
import { createRecording, type RecordOptions, type RecordResult, type Recording } from './recorder.js';
import { createReorderBuffer } from './reorder-buffer.js';
import { buildRtp, parseRtp, randomUint32 } from './rtp-packet.js';
import { isHoldAddress, type NegotiatedMedia } from './sdp.js';

export type DtmfSource = 'rtp' | 'info';

/** Something that fills outgoing frames with audio: a bridge's peer, for instance. */
export interface AudioSource {
  readInto(out: Int16Array): boolean;
}

export interface EndpointStats {
  packetsSent: number;
  packetsReceived: number;
  /** Datagrams that were not valid RTP (counted, logged, dropped). */
  malformed: number;
  /** Valid RTP with a payload type we did not negotiate. */
  unknownPayloadType: number;
  /** Packets that arrived after later ones had already been played out. */
  late: number;
  dtmfReceived: number;
  sendErrors: number;
  /** Packets from somewhere other than the latched source (stray or injected RTP), dropped. */
  strayPackets: number;
}

export interface MediaEndpoint {
  readonly local: { address: string; port: number };
  readonly negotiated: NegotiatedMedia | null;
  /** Where RTP goes now: the SDP address until the first valid packet, then wherever packets come from. */
  readonly sendingTo: { address: string; port: number } | null;
  readonly closed: boolean;
  setRemote(negotiated: NegotiatedMedia): void;
  play(source: PlaySource, opts?: PlayOptions): Playback;
  stopPlayback(): void;
  record(opts: RecordOptions): Promise<RecordResult>;
  /** Queues RFC 4733 digits; false when the peer negotiated no telephone-event (use SIP INFO). */
  sendDtmf(digits: string): boolean;
  /** A digit that arrived by SIP INFO: reported exactly like one that arrived over RTP. */
  injectDtmf(digit: string): void;
  /** Low level, for bridges: decoded 8 kHz frames as received, in order; shared, so never modify them. Returns an unsubscribe. */
  addAudioSink(sink: (pcm: Int16Array) => void): () => void;
  /** Low level, for bridges: audio sent when nothing is playing. */
  setBridgeSource(source: AudioSource | null): void;
  stats(): EndpointStats;
  close(): Promise<void>;
  on(event: 'dtmf', listener: (digit: string, source: DtmfSource) => void): this;
  on(event: 'rtp-timeout', listener: () => void): this;
  on(event: 'close', listener: () => void): this;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: 'dtmf' | 'rtp-timeout' | 'close', listener: (...args: any[]) => void): this;
  once(event: 'close', listener: () => void): this;
}

export interface EndpointDeps {
  socket: Socket;
  local: { address: string; port: number };
  clock: MediaClock;
  logger: Logger;
  loadAudio: AudioLoader;
  /** Called exactly once, after the socket has closed, so the port returns to the pool. */
  release: () => void;
  rtpTimeoutMs: number;
  reorderDepthPackets: number;
  dtmfToneMs: number;
}

/** Malformed packets logged at warn before we go quiet (a flood must not flood the log). */
const MALFORMED_WARNINGS = 5;

class Endpoint extends EventEmitter implements MediaEndpoint {
  readonly local: { address: string; port: number };
  negotiated: NegotiatedMedia | null = null;
  sendingTo: { address: string; port: number } | null = null;
  closed = false;
  private latched = false;
  private latchedFrom = { address: '', port: 0 };
  private readonly ssrc = randomUint32();
  private sequence = randomUint32() & 0xffff;
  private timestamp = randomUint32();
  private firstPacket = true;
  private playback: (Playback & PlaybackReader & { finish(r: { reason: 'stopped' }): void }) | null = null;
  private bridgeSource: AudioSource | null = null;
  private recording: Recording | null = null;
  private readonly sinks = new Set<(pcm: Int16Array) => void>();
  private lastReceivedAt = performance.now();
  private timeoutReported = false;
  private frame = new Int16Array(160);
  private readonly counters: EndpointStats = { packetsSent: 0, packetsReceived: 0, malformed: 0, unknownPayloadType: 0, late: 0, dtmfReceived: 0, sendErrors: 0, strayPackets: 0 };
  private readonly dtmfSender;
  private readonly dtmfReceiver;
  private readonly reorder;
  private readonly clocked = { ptimeMs: 20, onFrame: () => this.onFrame() };
  private closing: Promise<void> | null = null;

  constructor(private readonly deps: EndpointDeps) {
    super();
    this.local = deps.local;
    this.dtmfSender = createDtmfSender({ toneMs: deps.dtmfToneMs, gapMs: 60 });
    this.dtmfReceiver = createDtmfReceiver((digit) => this.reportDigit(digit, 'rtp'));
    this.reorder = createReorderBuffer({
      depthPackets: deps.reorderDepthPackets,
      maxGapSamples: 2000 * SAMPLES_PER_MS,
      onAudio: (pcm) => { for (const sink of this.sinks) sink(pcm); },
    });
    deps.socket.on('message', (msg, rinfo) => this.onPacket(msg, rinfo));
    deps.socket.on('error', (err) => {
      deps.logger.warn({ err, port: this.local.port }, 'media: RTP socket error, closing endpoint');
      void this.close();
    });
  }

  setRemote(negotiated: NegotiatedMedia): void {
    if (this.closed) return;
    this.negotiated = negotiated;
    this.latched = false;
    this.sendingTo = isHoldAddress(negotiated.remote.address) || negotiated.remote.port === 0 ? null : { ...negotiated.remote };
    this.lastReceivedAt = performance.now();
    this.timeoutReported = false;
    if (this.clocked.ptimeMs !== negotiated.ptimeMs || !this.deps.clock.has(this.clocked)) {
      this.deps.clock.remove(this.clocked);
      this.clocked.ptimeMs = negotiated.ptimeMs;
      this.frame = new Int16Array(negotiated.ptimeMs * SAMPLES_PER_MS);
      this.deps.clock.add(this.clocked);
    }
  }

  play(source: PlaySource, opts: PlayOptions = {}): Playback {
    this.stopPlayback();
    const playback = createPlayback(source, opts, this.deps.loadAudio);
    playback.once('done', (result) => {
      if (this.playback === playback) this.playback = null;
      if (result.reason === 'error') this.deps.logger.warn({ port: this.local.port, error: result.error }, 'media: playback failed');
    });
    if (this.closed) playback.finish({ reason: 'stopped' });
    else this.playback = playback;
    return playback;
  }

  stopPlayback(): void {
    this.playback?.stop();
    this.playback = null;
  }

  record(opts: RecordOptions): Promise<RecordResult> {
    if (this.closed) return Promise.reject(new Error(`media endpoint ${this.local.port} is closed; cannot record to ${opts.file}`));
    if (this.recording && !this.recording.ended) {
      return Promise.reject(new Error(`media endpoint ${this.local.port} is already recording; cannot record to ${opts.file}`));
    }
    if (!(opts.maxDurationMs > 0)) return Promise.reject(new ValidationError(`record: maxDurationMs must be > 0 (got ${opts.maxDurationMs})`, 'maxDurationMs'));
    const sink = (pcm: Int16Array) => recording.onAudio(pcm);
    const recording = createRecording(opts, {
      flushReceived: () => this.reorder.flush(),
      detach: () => { this.sinks.delete(sink); if (this.recording === recording) this.recording = null; },
    });
    this.sinks.add(sink);
    this.recording = recording;
    return recording.result;
  }

  sendDtmf(digits: string): boolean {
    for (const digit of digits) {
      if (!isDtmfDigit(digit)) throw new ValidationError(`sendDtmf: '${digit}' in '${digits}' is not a DTMF digit (0-9 * # A-D)`, 'digits');
    }
    if (this.closed || !this.negotiated || this.negotiated.dtmfPayloadType === null) return false;
    this.dtmfSender.enqueue(digits);
    return true;
  }

  injectDtmf(digit: string): void {
    if (!isDtmfDigit(digit)) throw new ValidationError(`injectDtmf: '${digit}' is not a DTMF digit (0-9 * # A-D)`, 'digit');
    this.reportDigit(digit.toUpperCase(), 'info');
  }

  addAudioSink(sink: (pcm: Int16Array) => void): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  setBridgeSource(source: AudioSource | null): void {
    this.bridgeSource = source;
  }

  stats(): EndpointStats {
    return { ...this.counters, late: this.reorder.latePackets };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.recording?.hangup();
    this.stopPlayback();
    this.dtmfSender.clear();
    this.deps.clock.remove(this.clocked);
    this.closing = new Promise<void>((resolve) => {
      const done = () => { this.deps.release(); resolve(); };
      try {
        this.deps.socket.close(done);
      } catch {
        done(); // already closed by an error path
      }
    });
    this.emit('close');
    this.removeAllListeners('dtmf');
    this.removeAllListeners('rtp-timeout');
    return this.closing;
  }

  private reportDigit(digit: string, source: DtmfSource): void {
    if (this.closed) return;
    this.counters.dtmfReceived++;
    this.recording?.onDtmf(digit);
    this.emit('dtmf', digit, source);
  }

  private onPacket(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    this.counters.packetsReceived++;
    const parsed = parseRtp(msg);
    if (!parsed.ok) {
      this.counters.malformed++;
      const level = this.counters.malformed <= MALFORMED_WARNINGS ? 'warn' : 'debug';
      this.deps.logger[level]({ port: this.local.port, from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, reason: parsed.reason, malformed: this.counters.malformed }, 'media: malformed RTP packet dropped');
      return;
    }
    const packet = parsed.packet;
    const dtmfPayloadType = this.negotiated ? this.negotiated.dtmfPayloadType : DEFAULT_DTMF_PAYLOAD_TYPE;
    let codec: G711Codec | null = null;
    if (packet.payloadType !== dtmfPayloadType && packet.payloadType !== 13) {
      codec = this.negotiated && packet.payloadType === this.negotiated.payloadType ? this.negotiated.codec : codecForStaticPayloadType(packet.payloadType);
      if (!codec) {
        this.counters.unknownPayloadType++;
        return;
      }
    }
    if (!this.acceptSource(rinfo)) return;
    this.lastReceivedAt = performance.now();
    this.timeoutReported = false;
    if (packet.payloadType === dtmfPayloadType) {
      if (this.dtmfReceiver.receive(packet.ssrc, packet.timestamp, packet.payload) === 'malformed') this.counters.malformed++;
    } else if (codec) {
      this.reorder.push(packet.ssrc, packet.timestamp, decodeG711(codec, packet.payload));
    }
  }

  /**
   * Symmetric RTP: answer where the packets really come from (NAT), not where the SDP said. Once
   * latched, only that source is heard (like Asterisk's strictrtp), so nobody can inject audio or
   * digits into a call; a new offer/answer (setRemote) opens the latch again.
   */
  private acceptSource(rinfo: RemoteInfo): boolean {
    if (this.latched) {
      if (rinfo.address === this.latchedFrom.address && rinfo.port === this.latchedFrom.port) return true;
      this.counters.strayPackets++;
      return false;
    }
    this.latched = true;
    this.latchedFrom = { address: rinfo.address, port: rinfo.port };
    this.latchSendingTo(rinfo);
    return true;
  }

  private latchSendingTo(rinfo: RemoteInfo): void {
    const advertised = this.sendingTo;
    if (advertised && advertised.address === rinfo.address && advertised.port === rinfo.port) return;
    if (this.negotiated && !isHoldAddress(this.negotiated.remote.address)) {
      this.sendingTo = { address: rinfo.address, port: rinfo.port };
      this.deps.logger.info({ port: this.local.port, advertised, actual: this.sendingTo }, 'media: latched RTP to actual source');
    }
  }

  private onFrame(): void {
    const negotiated = this.negotiated;
    if (!negotiated) return;
    const frameSamples = this.frame.length;
    const expectsMedia = negotiated.direction === 'sendrecv' || negotiated.direction === 'recvonly';
    if (expectsMedia && !this.timeoutReported && performance.now() - this.lastReceivedAt > this.deps.rtpTimeoutMs) {
      this.timeoutReported = true;
      this.deps.logger.info({ port: this.local.port, timeoutMs: this.deps.rtpTimeoutMs }, 'media: no RTP received');
      this.emit('rtp-timeout');
    }
    const target = this.sendingTo;
    const maySend = negotiated.direction === 'sendrecv' || negotiated.direction === 'sendonly';
    const timestamp = this.timestamp;
    this.timestamp = (this.timestamp + frameSamples) >>> 0;
    if (!maySend || !target) return;
    const dtmf = negotiated.dtmfPayloadType !== null ? this.dtmfSender.nextFrame(timestamp, frameSamples) : null;
    const playback = this.playback;
    if (playback) playback.readInto(this.frame);
    else if (!this.bridgeSource?.readInto(this.frame)) this.frame.fill(0);
    const datagram = dtmf
      ? buildRtp({ payloadType: negotiated.dtmfPayloadType!, marker: dtmf.marker, sequenceNumber: this.sequence, timestamp: dtmf.timestamp, ssrc: this.ssrc, payload: dtmf.payload })
      : buildRtp({ payloadType: negotiated.payloadType, marker: this.firstPacket, sequenceNumber: this.sequence, timestamp, ssrc: this.ssrc, payload: encodeG711(negotiated.codec, this.frame) });
    this.firstPacket = false;
    this.sequence = (this.sequence + 1) & 0xffff;
    this.counters.packetsSent++;
    this.deps.socket.send(datagram, target.port, target.address, this.afterSend);
  }

  /** One callback for every send (not a closure per packet): without one, dgram would emit 'error'. */
  private readonly afterSend = (err: Error | null): void => {
    if (!err) return;
    this.counters.sendErrors++;
    this.deps.logger.debug({ err, port: this.local.port }, 'media: RTP send failed');
  };
}

export function createEndpoint(deps: EndpointDeps): MediaEndpoint {
  return new Endpoint(deps);
}
