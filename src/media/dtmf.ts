/** RFC 4733 telephone-events: the DTMF digits 0-9 * # A-D as event codes 0-15. */
const DIGITS = '0123456789*#ABCD';

export function digitToEvent(digit: string): number | null {
  const index = DIGITS.indexOf(digit.toUpperCase());
  return index < 0 || digit.length !== 1 ? null : index;
}

export function eventToDigit(event: number): string | null {
  return event >= 0 && event < DIGITS.length ? DIGITS[event]! : null;
}

export function isDtmfDigit(digit: string): boolean {
  return digitToEvent(digit) !== null;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function encodeTelephoneEvent(ev: TelephoneEvent): Uint8Array {
  const payload = new Uint8Array(4);
  payload[0] = ev.event;
  payload[1] = (ev.end ? 0x80 : 0) | (ev.volume & 0x3f);
  payload[2] = (ev.duration >> 8) & 0xff;
  payload[3] = ev.duration & 0xff;
  return payload;
}

export function decodeTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

/** One RTP packet the sender wants on the wire this frame. */
export interface DtmfFrame {
  marker: boolean;
  /** RTP timestamp of the event start: the same for every packet of one digit. */
  timestamp: number;
  payload: Uint8Array;
}

export interface DtmfSenderOptions {
  /** How long each tone lasts. */
  toneMs: number;
  /** Silence between digits, so a receiver sees distinct presses. */
  gapMs: number;
}

const END_REPEATS = 3;
const VOLUME_DBM0 = 10;

/**
 * Turns queued digits into RFC 4733 packets, one per frame the endpoint sends: the first packet
 * carries the marker bit, all packets share the start timestamp, durations grow by one frame,
 * and the end packet is sent three times (packet loss must not leave a tone hanging).
 */
export function createDtmfSender(opts: DtmfSenderOptions) {
  const queue: string[] = [];
  let current: { event: number; timestamp: number; duration: number; endsSent: number; first: boolean } | null = null;
  let gapRemainingSamples = 0;

  return {
    enqueue(digits: string): void {
      for (const digit of digits) queue.push(digit);
    },
    get busy(): boolean {
      return current !== null || queue.length > 0 || gapRemainingSamples > 0;
    },
    clear(): void {
      queue.length = 0;
      current = null;
      gapRemainingSamples = 0;
    },
    /**
     * Called once per outgoing frame with that frame's RTP timestamp; returns a telephone-event
     * packet to send instead of audio, or null when the frame should carry audio.
     */
    nextFrame(frameTimestamp: number, frameSamples: number): DtmfFrame | null {
      if (!current) {
        if (gapRemainingSamples > 0) {
          gapRemainingSamples -= frameSamples;
          return null;
        }
        const digit = queue.shift();
        if (digit === undefined) return null;
        const event = digitToEvent(digit)!;
        current = { event, timestamp: frameTimestamp, duration: 0, endsSent: 0, first: true };
      }
      const toneSamples = opts.toneMs * 8;
      const ending = current.duration + frameSamples >= toneSamples;
      if (!ending) current.duration += frameSamples;
      else current.duration = Math.min(toneSamples, 0xffff);
      const frame: DtmfFrame = {
        marker: current.first,
        timestamp: current.timestamp,
        payload: encodeTelephoneEvent({ event: current.event, end: ending, volume: VOLUME_DBM0, duration: current.duration }),
      };
      current.first = false;
      if (ending && ++current.endsSent >= END_REPEATS) {
        current = null;
        gapRemainingSamples = opts.gapMs * 8;
      }
      return frame;
    },
  };
}

export type DtmfSender = ReturnType<typeof createDtmfSender>;

/**
 * Reports each pressed digit once: every packet of one event shares its timestamp (RFC 4733 §2.5),
 * so a new (ssrc, timestamp) pair means a new press, however many retransmissions follow.
 */
export function createDtmfReceiver(onDigit: (digit: string) => void) {
  let lastKey: string | null = null;
  return {
    receive(ssrc: number, timestamp: number, payload: Uint8Array): 'digit' | 'duplicate' | 'malformed' {
      const ev = decodeTelephoneEvent(payload);
      if (!ev) return 'malformed';
      const digit = eventToDigit(ev.event);
      if (digit === null) return 'malformed';
      const key = `${ssrc}:${timestamp}`;
      if (key === lastKey) return 'duplicate';
      lastKey = key;
      onDigit(digit);
      return 'digit';
    },
  };
}
