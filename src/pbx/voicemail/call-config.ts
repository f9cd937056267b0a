/**
 * Settings of voicemail calls (deposit and listening by phone), in milliseconds. The global
 * config (`pbx.voicemail`, seconds) is converted by fromPbxVoicemailConfig; tests pass short
 * values directly.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MailboxLanguage } from '../../data/types.js';

export interface VoicemailCallConfig {
  /** Longest message recorded. */
  maxMessageMs: number;
  /** Shorter recordings are discarded (a caller who hung up at the beep left no message). */
  minMessageMs: number;
  /** This much silence ends a recording. */
  silenceMs: number;
  /** Audio quieter than this counts as silence (dBFS). */
  silenceThresholdDb: number;
  /** Wrong PINs before the listening call says goodbye. */
  pinAttempts: number;
  /** How long the listening call waits for a key before moving on. */
  digitTimeoutMs: number;
  /** Directory holding <language>/<prompt>.wav (assets/prompts). */
  promptsDir: string;
  /** Prompts language of a mailbox whose own language has no prompts. */
  defaultLanguage: MailboxLanguage;
}

/** assets/prompts of this installation: src/… and dist/src/… both work. */
export function defaultPromptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'assets', 'prompts');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(process.cwd(), 'assets', 'prompts');
}

export const DEFAULT_VOICEMAIL_CALL_CONFIG: Omit<VoicemailCallConfig, 'promptsDir'> = Object.freeze({
  maxMessageMs: 180_000,
  minMessageMs: 1000,
  silenceMs: 10_000,
  silenceThresholdDb: -45,
  pinAttempts: 3,
  digitTimeoutMs: 5000,
  defaultLanguage: 'pl',
});

/** The `pbx.voicemail` config section (seconds) as call settings. */
export function fromPbxVoicemailConfig(
  section: { maxMessageS: number; minMessageS: number; silenceS: number; silenceThresholdDb: number; pinAttempts: number; digitTimeoutS: number },
  language: MailboxLanguage,
): VoicemailCallConfig {
  return {
    ...DEFAULT_VOICEMAIL_CALL_CONFIG,
    maxMessageMs: section.maxMessageS * 1000,
    minMessageMs: section.minMessageS * 1000,
    silenceMs: section.silenceS * 1000,
    silenceThresholdDb: section.silenceThresholdDb,
    pinAttempts: section.pinAttempts,
    digitTimeoutMs: section.digitTimeoutS * 1000,
    defaultLanguage: language,
    promptsDir: defaultPromptsDir(),
  };
}

export type PromptName =
  | 'voicemail-greeting' | 'beep' | 'enter-pin' | 'wrong-pin' | 'you-have' | 'no-messages'
  | 'new-message' | 'new-messages-few' | 'new-messages'
  | 'message-deleted' | 'next-message' | 'goodbye';

/**
 * The words after the count in "you have N …", in the form the language needs: Polish has one
 * form for 1 ("nową wiadomość"), one for 2–4 except 12–14 ("nowe wiadomości") and one for the
 * rest ("nowych wiadomości"); English only tells 1 from the rest.
 */
export function newMessagesWord(language: MailboxLanguage, count: number): PromptName {
  if (count === 1) return 'new-message';
  if (language === 'pl') {
    const lastDigit = count % 10;
    const lastTwo = count % 100;
    if (lastDigit >= 2 && lastDigit <= 4 && !(lastTwo >= 12 && lastTwo <= 14)) return 'new-messages-few';
  }
  return 'new-messages';
}

/** Path of a prompt in the mailbox's language; falls back to the default language. */
export function promptPath(config: Pick<VoicemailCallConfig, 'promptsDir' | 'defaultLanguage'>, language: MailboxLanguage, name: PromptName): string {
  const own = join(config.promptsDir, language, `${name}.wav`);
  return existsSync(own) ? own : join(config.promptsDir, config.defaultLanguage, `${name}.wav`);
}

/** A number said digit by digit ("12" → one, two): the prompts have digits only. */
export function digitPrompts(config: Pick<VoicemailCallConfig, 'promptsDir' | 'defaultLanguage'>, language: MailboxLanguage, n: number): string[] {
  const dir = existsSync(join(config.promptsDir, language, 'digits')) ? language : config.defaultLanguage;
  return String(Math.max(0, Math.floor(n))).split('').map((d) => join(config.promptsDir, dir, 'digits', `${d}.wav`));
}
