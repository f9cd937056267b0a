import { createSocket, type Socket } from 'node:dgram';
import { stat } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import type { Logger } from '../log.js';
import { ConfigError, HookflashError } from '../errors.js';
import { loadAudio } from './audio-file.js';
import { createMediaClock } from './clock.js';
import { createEndpoint, type MediaEndpoint } from './endpoint.js';

export interface MediaEngineOptions {
  /** Address RTP sockets bind to and that goes into our SDP. */
  host: string;
  /** Inclusive; only even ports are used (RTP convention, odd ones are left for RTCP). */
  portRange: { min: number; max: number };
  logger: Logger;
  /** Shared pacing clock period; ptimes must be multiples of it (10 ms grid by default). */
  tickMs?: number;
  /** Silence on the wire after which an endpoint emits 'rtp-timeout'. */
  rtpTimeoutMs?: number;
  /** Received packets held for reordering before playout to recorder/bridge. */
  reorderDepthPackets?: number;
  dtmfToneMs?: number;
  /** Decoded prompts kept in memory (music on hold is played to many callers at once). */
  audioCacheEntries?: number;
}

export class MediaPortsExhaustedError extends HookflashError {
  constructor(message: string) {
    super('HF_MEDIA_PORTS', message, 503, 'media.portRange');
  }
}

export interface MediaEngineStats {
  openEndpoints: number;
  portsInUse: number;
  portsAvailable: number;
  clockStreams: number;
  /** Frames the shared clock dropped because it fell behind (should stay 0). */
  skippedFrames: number;
  /** How late the shared clock's ticks ran (ms): the engine's own view of pacing quality. */
  tickLateness: { p50: number; p95: number; max: number };
  /** |send interval − ptime| over all streams (ms): what "pacing within 2 ms at p95" is measured on. */
  sendIntervalDeviation: { p50: number; p95: number; max: number };
}

export interface MediaEngine {
  readonly host: string;
  openEndpoint(): Promise<MediaEndpoint>;
  stats(): MediaEngineStats;
  /** Starts the clock's lateness/skip counters afresh (benchmarks, periodic health logs). */
  resetClockStats(): void;
  close(): Promise<void>;
}

function bindSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    const onError = (err: Error) => {
      // A failed bind still holds a handle: close it, or the 'no sockets left behind' promise breaks.
      try { socket.close(); } catch { /* never bound */ }
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export function createMediaEngine(opts: MediaEngineOptions): MediaEngine {
  const { host, logger } = opts;
  const min = opts.portRange.min + (opts.portRange.min % 2);
  const max = opts.portRange.max;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min > max) {
    throw new ConfigError(`media.portRange ${opts.portRange.min}-${opts.portRange.max} is invalid: need 1024 ≤ min ≤ max ≤ 65535 with at least one even port`, 'media.portRange');
  }
  const evenPorts = Math.floor((max - min) / 2) + 1;
  const tickMs = opts.tickMs ?? 10;
  const clock = createMediaClock({ tickMs });
  const inUse = new Set<number>();
  const endpoints = new Set<MediaEndpoint>();
  const cache = new Map<string, { mtimeMs: number; size: number; samples: Int16Array }>();
  const cacheLimit = opts.audioCacheEntries ?? 32;
  // Rotating start: a just-freed port is not handed out again at once, so stray late packets of
  // the previous call do not land in the next one.
  let cursor = 0;
  let closed = false;

  async function cachedLoad(path: string): Promise<Int16Array> {
    const info = await stat(path).catch(() => null);
    const hit = cache.get(path);
    if (info && hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.samples;
    const samples = await loadAudio(path);
    if (info) {
      cache.delete(path);
      cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, samples });
      if (cache.size > cacheLimit) cache.delete(cache.keys().next().value!);
    }
    return samples;
  }

  async function allocate(): Promise<{ socket: Socket; port: number }> {
    for (let attempt = 0; attempt < evenPorts; attempt++) {
      const port = min + ((cursor + attempt) % evenPorts) * 2;
      if (inUse.has(port)) continue;
      inUse.add(port);
      try {
        const socket = await bindSocket(host, port);
        cursor = (cursor + attempt + 1) % evenPorts;
        return { socket, port };
      } catch (err) {
        inUse.delete(port);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') continue;
        throw new ConfigError(`media: cannot bind RTP socket on ${host}:${port} (${code ?? (err as Error).message}): check media.host`, 'media.host');
      }
    }
    throw new MediaPortsExhaustedError(
      `media: no free RTP port in ${min}-${max} on ${host} (${evenPorts} even ports, ${inUse.size} used by us, the rest by other programs): widen media.portRange or lower concurrency`,
    );
  }

  return {
    host,
    async openEndpoint() {
      if (closed) throw new HookflashError('HF_MEDIA_CLOSED', 'media engine is closed', 503);
      const { socket, port } = await allocate();
      let released = false;
      const endpoint = createEndpoint({
        socket,
        local: { address: host, port },
        clock,
        logger,
        loadAudio: cachedLoad,
        rtpTimeoutMs: opts.rtpTimeoutMs ?? 30_000,
        reorderDepthPackets: opts.reorderDepthPackets ?? 3,
        dtmfToneMs: opts.dtmfToneMs ?? 100,
        release: () => {
          if (released) return;
          released = true;
          inUse.delete(port);
          endpoints.delete(endpoint);
        },
      });
      endpoints.add(endpoint);
      if (closed) {
        // engine.close() ran while we were binding: do not hand out an endpoint nobody will close.
        await endpoint.close();
        throw new HookflashError('HF_MEDIA_CLOSED', 'media engine is closed', 503);
      }
      return endpoint;
    },
    stats() {
      const clockStats = clock.stats();
      return {
        openEndpoints: endpoints.size, portsInUse: inUse.size, portsAvailable: evenPorts - inUse.size,
        clockStreams: clockStats.streams, skippedFrames: clockStats.skippedFrames,
        tickLateness: clockStats.tickLateness, sendIntervalDeviation: clockStats.sendIntervalDeviation,
      };
    },
    resetClockStats: () => clock.resetStats(),
    async close() {
      closed = true;
      await Promise.all([...endpoints].map((e) => e.close()));
      clock.close();
      cache.clear();
    },
  };
}
