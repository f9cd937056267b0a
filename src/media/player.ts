import { EventEmitter } from 'node:events';
import { SAMPLES_PER_MS } from './g711.js';
import { generateTone, type ToneName } from './tones.js';

/** What an endpoint can play: WAV paths, tones, silence, raw 8 kHz samples, or a list of these. */
export type PlaySource =
  | string
  | { file: string }
  | { tone: ToneName; durationMs?: number }
  | { silenceMs: number }
  | { samples: Int16Array }
  | PlaySource[];

export interface PlayOptions {
  /** Start again from the first item when the last ends (music on hold). */
  loop?: boolean;
}

export type PlaybackEndReason = 'finished' | 'stopped' | 'error';

export interface PlaybackResult {
  reason: PlaybackEndReason;
  /** Why loading failed, when reason is 'error'. */
  error?: string;
}

export interface Playback {
  stop(): void;
  /** Resolves once, with the same result the 'done' event carries. */
  readonly done: Promise<PlaybackResult>;
  on(event: 'done', listener: (result: PlaybackResult) => void): this;
  once(event: 'done', listener: (result: PlaybackResult) => void): this;
}

/** The pull side the endpoint's frame loop uses; not part of the public Playback surface. */
export interface PlaybackReader {
  /** Fills `out` with the next samples; returns false once the playback has ended. */
  readInto(out: Int16Array): boolean;
  readonly ended: boolean;
  /** Resolves once every item is loaded (or the playback ended): until then frames are silence. */
  readonly ready: Promise<void>;
}

export type AudioLoader = (path: string) => Promise<Int16Array>;

function flatten(source: PlaySource): Exclude<PlaySource, PlaySource[]>[] {
  return Array.isArray(source) ? source.flatMap(flatten) : [source];
}

async function resolveSegment(item: Exclude<PlaySource, PlaySource[]>, load: AudioLoader): Promise<Int16Array> {
  if (typeof item === 'string') return load(item);
  if ('file' in item) return load(item.file);
  if ('tone' in item) return generateTone(item.tone, item.durationMs);
  if ('silenceMs' in item) return new Int16Array(Math.round(item.silenceMs * SAMPLES_PER_MS));
  return item.samples;
}

class PlaybackImpl extends EventEmitter implements Playback, PlaybackReader {
  readonly done: Promise<PlaybackResult>;
  readonly ready: Promise<void>;
  ended = false;
  private segments: Int16Array[] | null = null;
  private segmentIndex = 0;
  private offset = 0;
  private resolveDone!: (result: PlaybackResult) => void;

  constructor(source: PlaySource, private readonly opts: PlayOptions, load: AudioLoader) {
    super();
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.ready = Promise.all(flatten(source).map((item) => resolveSegment(item, load))).then(
      (segments) => {
        const total = segments.reduce((sum, s) => sum + s.length, 0);
        this.segments = segments;
        // A looping source with no samples would spin forever in readInto: end it now instead.
        if (total === 0) this.finish({ reason: 'finished' });
      },
      (err: Error) => this.finish({ reason: 'error', error: err.message }),
    );
  }

  stop(): void {
    this.finish({ reason: 'stopped' });
  }

  readInto(out: Int16Array): boolean {
    out.fill(0);
    if (this.ended) return false;
    // Still loading: the frame goes out as silence so the stream keeps its timing.
    if (!this.segments) return true;
    let written = 0;
    while (written < out.length) {
      const segment = this.segments[this.segmentIndex];
      if (!segment) {
        if (!this.opts.loop) break;
        this.segmentIndex = 0;
        this.offset = 0;
        continue;
      }
      const count = Math.min(out.length - written, segment.length - this.offset);
      out.set(segment.subarray(this.offset, this.offset + count), written);
      written += count;
      this.offset += count;
      if (this.offset >= segment.length) {
        this.segmentIndex++;
        this.offset = 0;
      }
    }
    if (!this.opts.loop && this.segmentIndex >= this.segments.length) this.finish({ reason: 'finished' });
    return written > 0;
  }

  finish(result: PlaybackResult): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveDone(result);
    this.emit('done', result);
  }
}

export function createPlayback(source: PlaySource, opts: PlayOptions, load: AudioLoader): Playback & PlaybackReader & { finish(result: PlaybackResult): void } {
  return new PlaybackImpl(source, opts, load);
}
