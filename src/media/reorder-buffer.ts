import { timestampDelta } from './rtp-packet.js';

export interface ReorderBufferOptions {
  /** Packets held back so a late one can still slot in before its successors (~40–60 ms). */
  depthPackets: number;
  /** Largest timestamp gap filled with silence; beyond it the stream is treated as restarted. */
  maxGapSamples: number;
  onAudio: (pcm: Int16Array) => void;
}

interface Pending {
  offset: number;
  pcm: Int16Array;
}

/**
 * Puts received frames back in RTP timestamp order and fills gaps with silence, so a recording
 * or a bridged stream keeps its real length when packets are lost or reordered.
 */
export function createReorderBuffer(opts: ReorderBufferOptions) {
  let ssrc: number | null = null;
  let nextTimestamp = 0;
  const pending: Pending[] = [];
  let late = 0;

  function emit(entry: Pending): void {
    if (entry.offset > 0) opts.onAudio(new Int16Array(Math.min(entry.offset, opts.maxGapSamples)));
    opts.onAudio(entry.pcm);
    const consumed = entry.offset + entry.pcm.length;
    nextTimestamp = (nextTimestamp + consumed) >>> 0;
    for (const other of pending) other.offset -= consumed;
  }

  function flush(): void {
    while (pending.length > 0) emit(pending.shift()!);
  }

  return {
    push(packetSsrc: number, timestamp: number, pcm: Int16Array): void {
      if (ssrc !== packetSsrc) {
        // A new source (phone re-INVITE, transfer): finish the old one and start fresh.
        flush();
        ssrc = packetSsrc;
        nextTimestamp = timestamp;
      }
      let offset = timestampDelta(nextTimestamp, timestamp);
      if (offset < -opts.maxGapSamples || offset > opts.maxGapSamples * 4) {
        // Timestamp jumped without an SSRC change: treat it as a restart, not a huge gap.
        flush();
        nextTimestamp = timestamp;
        offset = 0;
      }
      if (offset < 0 || pending.some((p) => p.offset === offset)) {
        late++;
        return;
      }
      const entry = { offset, pcm };
      const at = pending.findIndex((p) => p.offset > offset);
      if (at < 0) pending.push(entry);
      else pending.splice(at, 0, entry);
      while (pending.length > opts.depthPackets) emit(pending.shift()!);
    },
    flush,
    get latePackets(): number {
      return late;
    },
  };
}

export type ReorderBuffer = ReturnType<typeof createReorderBuffer>;
