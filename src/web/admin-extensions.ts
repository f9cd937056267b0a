/** Admin pages for extensions: list, create, edit, delete, rotate/reveal the SIP password. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Extension } from '../data/types.js';
import { generatePassword } from '../util/secrets.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { CONDITION_LABELS, CONDITIONS, DESTINATION_KINDS, forwardingErrorField, forwardingFromForm, forwardingToForm, saveForwarding } from './forwarding-form.js';
import { checkForwardingRules } from '../pbx/rules/forwarding.js';
import type { ForwardingRules } from '../pbx/types.js';

export { GENERATED_SIP_PASSWORD_LENGTH } from '../util/secrets.js';
import { GENERATED_SIP_PASSWORD_LENGTH } from '../util/secrets.js';

interface ExtensionForm { number?: string; displayName?: string; emails?: string; sipPassword?: string }

export function splitEmails(text: string | undefined): string[] {
  return String(text ?? '').split(/[\s,;]+/).filter(Boolean);
}

/** What the audit log and pages may show of an extension (the password only as a flag). */
export function publicExtension(e: Extension) {
  const { sipPassword: _secret, ...rest } = e;
  return rest;
}

export function registerExtensionPages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;

  function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const usedBy = new Map<string, string[]>();
    for (const d of repos.devices.list()) for (const n of d.lines) usedBy.set(n, [...(usedBy.get(n) ?? []), d.mac]);
    const extensions = repos.extensions.list().map((e) => ({ ...publicExtension(e), devices: usedBy.get(e.number) ?? [] }));
    return sendPage(ctx, reply, 'extensions', page(request, 'Extensions', 'extensions', { extensions, form: {}, ...extra }), status);
  }

  /** Stored rules, or undefined when none (or unreadable: the page then offers a clean form). */
  function storedForwarding(number: string): ForwardingRules | undefined {
    const raw = repos.forwarding.get(number);
    try {
      return raw ? checkForwardingRules(raw, number) : undefined;
    } catch {
      return undefined;
    }
  }

  function forwardingView(values: Record<string, string>, error?: { field: string; message: string }) {
    return CONDITIONS.map((c) => ({
      condition: c, label: CONDITION_LABELS[c], kind: values[`${c}Kind`] ?? 'none', target: values[`${c}Target`] ?? '',
      kinds: ['none', ...DESTINATION_KINDS].map((k) => ({ value: k, selected: (values[`${c}Kind`] ?? 'none') === k })),
      isNoAnswer: c === 'noAnswer', after: values.noAnswerAfter ?? '20',
      error: error && error.field === `${c}Target` ? error.message : null,
      afterError: c === 'noAnswer' && error && error.field === 'noAnswerAfter' ? error.message : null,
    }));
  }

  function editPage(request: FastifyRequest, reply: FastifyReply, ext: Extension, extra: Record<string, unknown> = {}, status = 200) {
    return sendPage(ctx, reply, 'extension-edit', page(request, `Extension ${ext.number}`, 'extensions', {
      ext: publicExtension(ext), form: { displayName: ext.displayName, emails: ext.emails.join(', ') },
      forwarding: forwardingView(forwardingToForm(storedForwarding(ext.number))), ...extra,
    }), status);
  }

  admin.get('/extensions', async (request, reply) => listPage(request, reply));

  admin.post<{ Body: ExtensionForm }>('/extensions', async (request, reply) => {
    const form = request.body ?? {};
    const generated = form.sipPassword ? undefined : generatePassword(GENERATED_SIP_PASSWORD_LENGTH);
    try {
      const ext = repos.extensions.add({
        number: String(form.number ?? ''), displayName: String(form.displayName ?? ''),
        sipPassword: form.sipPassword || generated!, emails: splitEmails(form.emails),
      });
      ctx.audit.record(actorOf(request), 'extension.create', ext.number, undefined, ext);
      return listPage(request, reply, {
        notice: `Extension ${ext.number} added.`,
        ...(generated ? { shownOnce: { label: `SIP password for ${ext.number}`, value: generated } } : {}),
      });
    } catch (err) {
      const e = expectedError(err);
      // Re-show the form with what was typed (never the password).
      return listPage(request, reply, { error: e.message, field: e.field, form: { ...form, sipPassword: '' } }, e.status);
    }
  });

  admin.get<{ Params: { number: string } }>('/extensions/:number', async (request, reply) => {
    const ext = repos.extensions.get(request.params.number);
    if (!ext) return listPage(request, reply, { error: `Extension ${request.params.number} does not exist.` }, 404);
    return editPage(request, reply, ext);
  });

  admin.post<{ Params: { number: string }; Body: ExtensionForm }>('/extensions/:number', async (request, reply) => {
    const before = repos.extensions.get(request.params.number);
    if (!before) return listPage(request, reply, { error: `Extension ${request.params.number} does not exist.` }, 404);
    const form = request.body ?? {};
    try {
      const after = repos.extensions.update(before.number, {
        displayName: String(form.displayName ?? ''), emails: splitEmails(form.emails),
        ...(form.sipPassword ? { sipPassword: form.sipPassword } : {}),
      });
      ctx.audit.record(actorOf(request), 'extension.update', after.number, before, after);
      return editPage(request, reply, after, { notice: 'Saved.' });
    } catch (err) {
      const e = expectedError(err);
      return sendPage(ctx, reply, 'extension-edit', page(request, `Extension ${before.number}`, 'extensions', {
        ext: publicExtension(before), form: { ...form, sipPassword: '' }, error: e.message, field: e.field,
      }), e.status);
    }
  });

  admin.post<{ Params: { number: string } }>('/extensions/:number/rotate', async (request, reply) => {
    const before = repos.extensions.get(request.params.number);
    if (!before) return listPage(request, reply, { error: `Extension ${request.params.number} does not exist.` }, 404);
    const password = generatePassword(GENERATED_SIP_PASSWORD_LENGTH);
    const after = repos.extensions.update(before.number, { sipPassword: password });
    ctx.audit.record(actorOf(request), 'extension.rotate-password', after.number, before, after);
    return editPage(request, reply, after, {
      notice: 'New SIP password generated. Phones using this extension get it at their next profile fetch.',
      shownOnce: { label: `SIP password for ${after.number}`, value: password },
    });
  });

  admin.post<{ Params: { number: string }; Body: Record<string, string> }>('/extensions/:number/forwarding', async (request, reply) => {
    const ext = repos.extensions.get(request.params.number);
    if (!ext) return listPage(request, reply, { error: `Extension ${request.params.number} does not exist.` }, 404);
    const form = request.body ?? {};
    const before = repos.forwarding.get(ext.number) ?? {};
    try {
      const after = saveForwarding(repos, ext.number, forwardingFromForm(form));
      ctx.audit.record(actorOf(request), 'extension.forwarding', ext.number, before, after);
      return editPage(request, reply, ext, { notice: 'Forwarding saved.' });
    } catch (err) {
      const e = expectedError(err);
      const field = forwardingErrorField(e.field, e.message);
      // The whole form is shown again as typed, the error next to the field it is about.
      return editPage(request, reply, ext, {
        error: e.message, forwardingError: true,
        forwarding: forwardingView(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)])), { field, message: e.message }),
      }, e.status);
    }
  });

  // Revealing is a deliberate admin action (a POST with CSRF), and it is audited.
  admin.post<{ Params: { number: string } }>('/extensions/:number/reveal', async (request, reply) => {
    const ext = repos.extensions.get(request.params.number);
    if (!ext) return listPage(request, reply, { error: `Extension ${request.params.number} does not exist.` }, 404);
    ctx.audit.record(actorOf(request), 'extension.reveal-password', ext.number);
    return editPage(request, reply, ext, { shownOnce: { label: `SIP password for ${ext.number}`, value: ext.sipPassword } });
  });

  admin.post<{ Params: { number: string } }>('/extensions/:number/delete', async (request, reply) => {
    const before = repos.extensions.get(request.params.number);
    if (!before) return listPage(request, reply, { error: `Extension ${request.params.number} does not exist.` }, 404);
    try {
      repos.extensions.remove(before.number);
      ctx.audit.record(actorOf(request), 'extension.delete', before.number, before, undefined);
      return listPage(request, reply, { notice: `Extension ${before.number} deleted.` });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message }, e.status);
    }
  });
}
