/** What the dashboard shows about voicemail e-mail: rows that failed or have waited too long. */
import type { OutboxEntry, Repositories } from '../../data/types.js';

export interface OutboxProblem extends OutboxEntry {
  box: string | null;
  callerNumber: string | null;
  /** "failed": given up (5xx or too many attempts); "late": still pending after the threshold. */
  kind: 'failed' | 'late';
}

export interface OutboxProblemOptions {
  now: number;
  /** Pending longer than this since the deposit counts as a problem (default 15 min). */
  pendingOlderThanMs?: number;
  limit?: number;
}

export function outboxProblems(
  repos: Pick<Repositories, 'mailOutbox' | 'voicemailMessages'>,
  opts: OutboxProblemOptions,
): OutboxProblem[] {
  const threshold = opts.now - (opts.pendingOlderThanMs ?? 15 * 60_000);
  return repos.mailOutbox
    .list({ statuses: ['failed', 'pending'], limit: opts.limit ?? 1000 })
    .filter((row) => row.status === 'failed' || row.createdAt <= threshold)
    .map((row) => {
      const message = repos.voicemailMessages.get(row.messageId);
      return { ...row, box: message?.box ?? null, callerNumber: message?.callerNumber ?? null, kind: row.status === 'failed' ? 'failed' : 'late' };
    });
}
