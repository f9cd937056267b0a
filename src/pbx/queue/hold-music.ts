/**
 * What a waiting caller hears: "please hold" once, then music on hold in a loop, interrupted
 * by "your position is N" when the queue announces positions. Only the endpoint's player is
 * used; a prompt that fails to load is logged by the endpoint and the music simply goes on.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MediaEndpoint, PlaySource } from '../../media/index.js';
import type { QueueLanguage } from '../../data/queue-types.js';

/** assets/prompts of this installation, found above this file (src/… and dist/src/… both work). */
export function defaultPromptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 8; up++) {
    const candidate = join(dir, 'assets', 'prompts');
    if (existsSync(join(candidate, 'moh.wav'))) return candidate;
    dir = dirname(dir);
  }
  return join(process.cwd(), 'assets', 'prompts');
}

export interface HoldPrompts {
  pleaseHold: string;
  music: string;
  yourPosition: string;
  digit(d: string): string;
}

export function holdPrompts(dir: string, language: QueueLanguage): HoldPrompts {
  return {
    pleaseHold: join(dir, language, 'queue-please-hold.wav'),
    music: join(dir, 'moh.wav'),
    yourPosition: join(dir, language, 'queue-your-position.wav'),
    digit: (d) => join(dir, language, 'digits', `${d}.wav`),
  };
}

export interface HoldMusic {
  announcePosition(position: number): void;
  stop(): void;
}

export function startHoldMusic(endpoint: MediaEndpoint, prompts: HoldPrompts, opts: { intro: boolean }): HoldMusic {
  let generation = 0;
  let stopped = false;
  // Plays `first`, then the music for ever; a newer play (announcement, stop) wins over an older one's end.
  const playThenMusic = (first: PlaySource | null): void => {
    if (stopped || endpoint.closed) return;
    const mine = ++generation;
    if (first === null) {
      endpoint.play({ file: prompts.music }, { loop: true });
      return;
    }
    const playback = endpoint.play(first);
    playback.once('done', (result) => {
      if (mine !== generation || stopped || endpoint.closed || result.reason === 'stopped') return;
      playThenMusic(null);
    });
  };
  playThenMusic(opts.intro ? { file: prompts.pleaseHold } : null);
  return {
    announcePosition(position) {
      const digits = String(Math.max(1, Math.trunc(position))).split('').map((d) => ({ file: prompts.digit(d) }));
      playThenMusic([{ file: prompts.yourPosition }, ...digits]);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      generation++;
      if (!endpoint.closed) endpoint.stopPlayback();
    },
  };
}
