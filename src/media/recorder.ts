import { performance } from 'node:perf_hooks';
import { SAMPLES_PER_MS } from './g711.js';
import { writeWav } from './audio-file.js';

export type RecordEndReason = 'hangup' | 'dtmf' | 'max-duration' | 'silence';

export interface RecordOptions {
  file: string;
  maxDurationMs: number;
  /** Digits that end the recording (e.g. '#'); the digit itself is not recorded. */
  stopOnDtmf?: string;
  /** End after this much audio quieter than thresholdDb (dBFS), e.g. { thresholdDb: -45, durationMs: 5000 }. */
  silence?: { thresholdDb: number; durationMs: number };
}

export interface RecordResult {
  file: string;
  durationMs: number;
  endedBy: RecordEndReason;
}

/** Trailing silence kept when a recording ends on silence, so the message does not end abruptly. */
const KEEP_SILENCE_MS = 300;
const WALL_CHECK_MS = 100;
/** Wall-clock slack over maxDurationMs before we stop waiting for more packets. */
const WALL_GRACE_MS = 500;

export function frameLevelDb(pcm: Int16Array): number {
  if (pcm.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  const rms = Math.sqrt(sum / pcm.length) / 0x8000;
  return rms === 0 ? -Infinity : 20 * Math.log10(rms);
}

/**
 * One recording: collects decoded 8 kHz frames, decides when it ends, writes the WAV.
 * The endpoint feeds it audio and digits and tells it about hang-up.
 */
export function createRecording(opts: RecordOptions, hooks: { flushReceived: () => void; detach: () => void }) {
  const maxSamples = Math.round(opts.maxDurationMs * SAMPLES_PER_MS);
  const silenceSamples = opts.silence ? Math.round(opts.silence.durationMs * SAMPLES_PER_MS) : Infinity;
  const chunks: Int16Array[] = [];
  let recorded = 0;
  let silentRun = 0;
  let ended = false;
  let ending = false;
  const startedAt = performance.now();
  let lastFrameAt = startedAt;
  let resolveResult!: (r: RecordResult) => void;
  let rejectResult!: (e: Error) => void;
  const result = new Promise<RecordResult>((resolve, reject) => { resolveResult = resolve; rejectResult = reject; });

  // Covers what frame counting cannot: a phone that stops sending (silence suppression, dead link).
  const wallTimer = setInterval(() => {
    const now = performance.now();
    if (now - startedAt >= opts.maxDurationMs + WALL_GRACE_MS) end('max-duration');
    else if (opts.silence && now - lastFrameAt >= opts.silence.durationMs) end('silence');
  }, WALL_CHECK_MS);

  function end(reason: RecordEndReason): void {
    // `ending` guards re-entry: the flush below feeds onAudio, which may itself hit the maximum.
    if (ended || ending) return;
    ending = true;
    // Late packets still in the reorder buffer belong to this recording (hang-up, '#').
    if (reason === 'hangup' || reason === 'dtmf') hooks.flushReceived();
    ended = true;
    clearInterval(wallTimer);
    hooks.detach();
    let keep = recorded;
    if (reason === 'silence') keep = Math.max(0, recorded - Math.max(0, silentRun - KEEP_SILENCE_MS * SAMPLES_PER_MS));
    const samples = new Int16Array(keep);
    let offset = 0;
    for (const chunk of chunks) {
      if (offset >= keep) break;
      const part = chunk.subarray(0, keep - offset);
      samples.set(part, offset);
      offset += part.length;
    }
    writeWav(opts.file, samples).then(
      () => resolveResult({ file: opts.file, durationMs: Math.round(keep / SAMPLES_PER_MS), endedBy: reason }),
      (err: NodeJS.ErrnoException) => rejectResult(new Error(`${opts.file}: recording could not be written (${err.code ?? err.message})`)),
    );
  }

  return {
    result,
    get ended(): boolean {
      return ended;
    },
    onAudio(pcm: Int16Array): void {
      if (ended) return;
      lastFrameAt = performance.now();
      const room = maxSamples - recorded;
      const frame = pcm.length > room ? pcm.subarray(0, room) : pcm;
      // Frames reach sinks freshly decoded and are never written to afterwards: keep, don't copy.
      chunks.push(frame);
      recorded += frame.length;
      if (opts.silence) {
        if (frameLevelDb(frame) < opts.silence.thresholdDb) silentRun += frame.length;
        else silentRun = 0;
      }
      if (recorded >= maxSamples) end('max-duration');
      else if (silentRun >= silenceSamples) end('silence');
    },
    onDtmf(digit: string): void {
      if (!ended && opts.stopOnDtmf?.includes(digit)) end('dtmf');
    },
    hangup(): void {
      end('hangup');
    },
  };
}

export type Recording = ReturnType<typeof createRecording>;
