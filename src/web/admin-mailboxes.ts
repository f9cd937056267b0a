/**
 * Admin pages for voicemail boxes: list, create, edit (name, language, extension, recipients),
 * PIN set/clear (hashed by the mailbox service, never shown back), greeting upload (a raw WAV
 * body sent by a small script, checked and converted by checkAudioFile) with playback, and the
 * message list with playback and each recipient's e-mail status.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Mailbox } from '../data/types.js';
import { ValidationError } from '../errors.js';
import { createMailboxService, type MailboxService } from '../pbx/voicemail/mailbox-service.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { splitEmails } from './admin-extensions.js';
import { messageView, outboxProblemsView, publicMailbox } from './mailbox-view.js';

/** 2 minutes of 48 kHz stereo 16-bit is 23 MB; the service refuses longer greetings anyway. */
export const GREETING_BODY_LIMIT = 25 * 1024 * 1024;
const MESSAGES_SHOWN = 100;

interface MailboxForm { box?: string; name?: string; language?: string; extension?: string; emails?: string; pin?: string }

export function mailboxService(ctx: WebContext): MailboxService {
  return createMailboxService({ repos: ctx.repos, dataDir: ctx.deps.config.dataDir ?? '', logger: ctx.deps.logger });
}

/** An audio file under dataDir, or null when it is missing or points outside it. */
export async function audioPath(ctx: WebContext, relative: string | null): Promise<string | null> {
  const dataDir = ctx.deps.config.dataDir;
  if (!dataDir || !relative) return null;
  const root = resolve(dataDir);
  const path = resolve(root, relative);
  if (!path.startsWith(root + sep)) return null;
  return (await stat(path).catch(() => null))?.isFile() ? path : null;
}

export function sendWav(reply: FastifyReply, path: string): FastifyReply {
  return reply.type('audio/wav').header('cache-control', 'no-store').send(createReadStream(path));
}

/** Checks, converts and stores an uploaded greeting; the file name only labels messages. */
export async function storeGreeting(ctx: WebContext, box: string, body: unknown, fileName: unknown) {
  if (!ctx.deps.config.dataDir) throw new ValidationError('greetings cannot be stored: the server has no data directory configured', 'file');
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new ValidationError('send the greeting as the request body (Content-Type audio/wav), not empty', 'file');
  }
  const name = (typeof fileName === 'string' ? decodeURIComponent(fileName) : '').replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 80) || 'greeting.wav';
  const dir = await mkdtemp(join(tmpdir(), 'hookflash-greeting-'));
  try {
    const file = join(dir, name);
    await writeFile(file, body);
    return await mailboxService(ctx).setGreeting(box, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function registerMailboxPages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const service = mailboxService(ctx);
  const extensions = () => repos.extensions.list().map((e) => ({ number: e.number, displayName: e.displayName }));

  admin.addContentTypeParser(/^(?:audio\/[\w.+-]+|application\/octet-stream)\s*(?:;|$)/, { parseAs: 'buffer', bodyLimit: GREETING_BODY_LIMIT },
    (_request, body, done) => done(null, body));

  function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const mailboxes = repos.mailboxes.list().map((m) => ({ ...publicMailbox(m), undelivered: repos.mailOutbox.undeliveredForBox(m.box) }));
    return sendPage(ctx, reply, 'mailboxes', page(request, 'Voicemail boxes', 'mailboxes', {
      mailboxes, extensions: extensions(), form: { language: 'pl' }, ...extra,
    }), status);
  }

  function editPage(request: FastifyRequest, reply: FastifyReply, m: Mailbox, extra: Record<string, unknown> = {}, status = 200) {
    const messages = repos.voicemailMessages.listForBox(m.box, MESSAGES_SHOWN).map((msg) => messageView(repos, msg));
    return sendPage(ctx, reply, 'mailbox-edit', page(request, `Voicemail box ${m.box}`, 'mailboxes', {
      mailbox: publicMailbox(m), extensions: extensions(), messages, audioEnabled: Boolean(ctx.deps.config.dataDir),
      problems: outboxProblemsView(repos, ctx.now(), m.box),
      form: { name: m.name, language: m.language, extension: m.extension ?? '', emails: m.emails.join(', ') }, ...extra,
    }), status);
  }

  const notFound = (request: FastifyRequest, reply: FastifyReply, box: string) =>
    listPage(request, reply, { error: `Voicemail box ${box} does not exist.` }, 404);

  admin.get('/mailboxes', async (request, reply) => listPage(request, reply));

  admin.post<{ Body: MailboxForm }>('/mailboxes', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const created = await service.add({
        box: String(form.box ?? ''), name: String(form.name ?? ''), emails: splitEmails(form.emails),
        language: (form.language || 'pl') as Mailbox['language'], extension: form.extension ? String(form.extension) : null,
        ...(form.pin ? { pin: String(form.pin) } : {}),
      });
      ctx.audit.record(actorOf(request), 'mailbox.create', created.box, undefined, publicMailbox(created));
      return reply.redirect(`/admin/mailboxes/${created.box}`, 303);
    } catch (err) {
      const e = expectedError(err);
      return listPage(request, reply, { error: e.message, field: e.field, form: { ...form, pin: '' } }, e.status);
    }
  });

  admin.get<{ Params: { box: string } }>('/mailboxes/:box', async (request, reply) => {
    const m = repos.mailboxes.get(request.params.box);
    return m ? editPage(request, reply, m) : notFound(request, reply, request.params.box);
  });

  admin.post<{ Params: { box: string }; Body: MailboxForm }>('/mailboxes/:box', async (request, reply) => {
    const before = repos.mailboxes.get(request.params.box);
    if (!before) return notFound(request, reply, request.params.box);
    const form = request.body ?? {};
    try {
      const after = repos.mailboxes.update(before.box, {
        name: String(form.name ?? ''), language: String(form.language ?? '') as Mailbox['language'],
        emails: splitEmails(form.emails), extension: form.extension ? String(form.extension) : null,
      });
      ctx.audit.record(actorOf(request), 'mailbox.update', after.box, publicMailbox(before), publicMailbox(after));
      return editPage(request, reply, after, { notice: 'Saved.' });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message, field: e.field, form }, e.status);
    }
  });

  admin.post<{ Params: { box: string }; Body: { pin?: string; clear?: string } }>('/mailboxes/:box/pin', async (request, reply) => {
    const before = repos.mailboxes.get(request.params.box);
    if (!before) return notFound(request, reply, request.params.box);
    const clear = Boolean(request.body?.clear);
    try {
      const after = await service.setPin(before.box, clear ? null : String(request.body?.pin ?? ''));
      ctx.audit.record(actorOf(request), clear ? 'mailbox.clear-pin' : 'mailbox.set-pin', after.box, publicMailbox(before), publicMailbox(after));
      return editPage(request, reply, after, { notice: clear ? 'PIN cleared: the box opens without a PIN.' : 'PIN set.' });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message, field: e.field }, e.status);
    }
  });

  // Called by mailbox.js with the file as the raw body and the CSRF token in a header; answers JSON.
  admin.post<{ Params: { box: string } }>('/mailboxes/:box/greeting', async (request, reply) => {
    const before = repos.mailboxes.get(request.params.box);
    if (!before) return reply.code(404).send({ error: { message: `voicemail box ${request.params.box} does not exist`, field: 'box' } });
    try {
      const stored = await storeGreeting(ctx, before.box, request.body, request.headers['x-file-name']);
      ctx.audit.record(actorOf(request), 'mailbox.greeting', before.box, publicMailbox(before), publicMailbox(stored.mailbox));
      const seconds = (stored.info.durationMs / 1000).toFixed(1);
      return reply.send({
        message: `Greeting stored (${seconds} s${stored.info.converted ? `, converted from ${stored.info.sampleRate} Hz ${stored.info.channels === 2 ? 'stereo' : 'mono'} to 8 kHz mono` : ''}).`,
        durationMs: Math.round(stored.info.durationMs), converted: stored.info.converted,
      });
    } catch (err) {
      const e = expectedError(err);
      return reply.code(e.status).send({ error: { message: e.message, field: e.field } });
    }
  });

  admin.post<{ Params: { box: string } }>('/mailboxes/:box/greeting/delete', async (request, reply) => {
    const before = repos.mailboxes.get(request.params.box);
    if (!before) return notFound(request, reply, request.params.box);
    const after = repos.mailboxes.update(before.box, { greetingFile: null });
    ctx.audit.record(actorOf(request), 'mailbox.greeting-delete', after.box, publicMailbox(before), publicMailbox(after));
    return editPage(request, reply, after, { notice: 'Greeting removed: callers hear the default prompt.' });
  });

  admin.get<{ Params: { box: string } }>('/mailboxes/:box/greeting/audio', async (request, reply) => {
    const path = await audioPath(ctx, repos.mailboxes.get(request.params.box)?.greetingFile ?? null);
    return path ? sendWav(reply, path) : reply.code(404).send({ error: { message: 'no greeting stored for this box' } });
  });

  admin.get<{ Params: { box: string; id: string } }>('/mailboxes/:box/messages/:id/audio', async (request, reply) => {
    const message = repos.voicemailMessages.get(Number(request.params.id));
    const path = message && message.box === request.params.box ? await audioPath(ctx, message.file) : null;
    return path ? sendWav(reply, path) : reply.code(404).send({ error: { message: 'no such message in this box' } });
  });

  admin.post<{ Params: { box: string } }>('/mailboxes/:box/delete', async (request, reply) => {
    const before = repos.mailboxes.get(request.params.box);
    if (!before) return notFound(request, reply, request.params.box);
    try {
      await service.remove(before.box);
      ctx.audit.record(actorOf(request), 'mailbox.delete', before.box, publicMailbox(before), undefined);
      return listPage(request, reply, { notice: `Voicemail box ${before.box} deleted (its messages are kept).` });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message }, e.status);
    }
  });
}
