/** RFC 3842 message-summary bodies. */
import type { MessageCounts } from '../../data/types.js';

export const MWI_EVENT = 'message-summary';
export const MWI_CONTENT_TYPE = 'application/simple-message-summary';

export function messageSummary(counts: MessageCounts, account?: string): string {
  return [
    `Messages-Waiting: ${counts.new > 0 ? 'yes' : 'no'}`,
    ...(account ? [`Message-Account: ${account}`] : []),
    `Voice-Message: ${counts.new}/${counts.old} (0/0)`,
    '',
  ].join('\r\n');
}

/** Reads a message-summary body (tests, and logs of what a phone was told). */
export function parseMessageSummary(body: string): { waiting: boolean; new: number; old: number } | undefined {
  const waiting = /^Messages-Waiting:\s*(yes|no)/im.exec(body)?.[1];
  const voice = /^Voice-Message:\s*(\d+)\/(\d+)/im.exec(body);
  if (waiting === undefined || voice === null) return undefined;
  return { waiting: waiting.toLowerCase() === 'yes', new: Number(voice[1]), old: Number(voice[2]) };
}
