import type { AudioSource, MediaEndpoint } from './endpoint.js';
import { SAMPLES_PER_MS } from './g711.js';

export interface Bridge {
  unbridge(): void;
  readonly active: boolean;
}

/** Audio buffered per direction before the oldest is dropped: bounds latency when clocks differ. */
const MAX_BUFFER_MS = 200;

/**
 * A bounded sample FIFO between one endpoint's receiver and the other's sender. Decoding to PCM
 * and re-encoding in the sender's codec is what transcodes PCMU↔PCMA, and it also absorbs
 * different ptimes (20 ms in, 30 ms out).
 */
function createSampleFifo(): AudioSource & { push(pcm: Int16Array): void } {
  const capacity = MAX_BUFFER_MS * SAMPLES_PER_MS;
  const buffer = new Int16Array(capacity);
  let start = 0;
  let length = 0;
  return {
    push(pcm) {
      for (let i = 0; i < pcm.length; i++) {
        if (length === capacity) {
          start = (start + 1) % capacity;
          length--;
        }
        buffer[(start + length) % capacity] = pcm[i]!;
        length++;
      }
    },
    readInto(out) {
      if (length === 0) return false;
      const count = Math.min(out.length, length);
      for (let i = 0; i < count; i++) out[i] = buffer[(start + i) % capacity]!;
      out.fill(0, count);
      start = (start + count) % capacity;
      length -= count;
      return true;
    },
  };
}

/**
 * Connects two endpoints (caller ↔ agent): audio each way, plus DTMF each way (a digit either side
 * receives, by RTP or SIP INFO, is re-sent as RFC 4733 on the other). Playback on an endpoint
 * still wins over bridged audio (announcements, whisper). Ends by unbridge() or either close.
 */
export function bridge(a: MediaEndpoint, b: MediaEndpoint): Bridge {
  if (a === b) throw new Error('bridge: cannot bridge an endpoint to itself');
  if (a.closed || b.closed) throw new Error(`bridge: endpoint ${a.closed ? a.local.port : b.local.port} is closed`);
  const toB = createSampleFifo();
  const toA = createSampleFifo();
  const removeSinkA = a.addAudioSink((pcm) => toB.push(pcm));
  const removeSinkB = b.addAudioSink((pcm) => toA.push(pcm));
  a.setBridgeSource(toA);
  b.setBridgeSource(toB);
  const relayFromA = (digit: string) => { b.sendDtmf(digit); };
  const relayFromB = (digit: string) => { a.sendDtmf(digit); };
  a.on('dtmf', relayFromA);
  b.on('dtmf', relayFromB);
  let active = true;
  const unbridge = () => {
    if (!active) return;
    active = false;
    removeSinkA();
    removeSinkB();
    a.setBridgeSource(null);
    b.setBridgeSource(null);
    a.off('dtmf', relayFromA);
    b.off('dtmf', relayFromB);
    a.off('close', unbridge);
    b.off('close', unbridge);
  };
  a.once('close', unbridge);
  b.once('close', unbridge);
  return { unbridge, get active() { return active; } };
}

export function unbridge(handle: Bridge): void {
  handle.unbridge();
}
