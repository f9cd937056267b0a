/**
 * Test helper for voicemail calls: a prompts directory of very short WAVs (so flows run in
 * well under a second of prompts), and a real SQLite file with a mailbox.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeWav } from '../../../src/media/index.js';
import type { VoicemailCallConfig } from '../../../src/pbx/voicemail/call-config.js';

const PROMPTS = ['voicemail-greeting', 'beep', 'enter-pin', 'wrong-pin', 'you-have', 'new-message', 'new-messages-few', 'new-messages', 'no-messages',
  'message-deleted', 'next-message', 'goodbye'] as const;

/** A tone (or silence) of `ms` at 8 kHz. */
export function toneSamples(ms: number, hz: number, amplitude = 0.3): Int16Array {
  const samples = new Int16Array(Math.round(ms * 8));
  if (hz > 0) for (let i = 0; i < samples.length; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / 8000) * amplitude * 32767);
  return samples;
}

/** en/ and pl/ prompts of `ms` each (a quiet 300 Hz tone; the beep is 1 kHz), plus digits. */
export async function writeShortPrompts(dir: string, ms = 120): Promise<string> {
  for (const language of ['en', 'pl']) {
    mkdirSync(join(dir, language, 'digits'), { recursive: true });
    for (const name of PROMPTS) await writeWav(join(dir, language, `${name}.wav`), toneSamples(ms, name === 'beep' ? 1000 : 300, 0.05));
    for (let d = 0; d <= 9; d++) await writeWav(join(dir, language, 'digits', `${d}.wav`), toneSamples(ms / 2, 300, 0.05));
  }
  return dir;
}

export function fastVoicemailConfig(promptsDir: string, overrides: Partial<VoicemailCallConfig> = {}): VoicemailCallConfig {
  return {
    maxMessageMs: 10_000, minMessageMs: 500, silenceMs: 3000, silenceThresholdDb: -45, pinAttempts: 3,
    digitTimeoutMs: 1500, promptsDir, defaultLanguage: 'en', ...overrides,
  };
}
