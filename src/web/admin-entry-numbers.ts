/** Admin pages for entry numbers: weekly hours, holidays, time zone, in-hours and after-hours destinations. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_TIME_ZONE } from '../pbx/rules/schedule.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { entryErrorField, entryNumberFromForm, entryNumberToForm, entryRow, saveEntryNumber, WEEK_ORDER } from './entry-number-form.js';
import { DESTINATION_KINDS } from './forwarding-form.js';

type Form = Record<string, string>;

const EMPTY_FORM: Form = {
  timeZone: DEFAULT_TIME_ZONE, inHoursKind: 'extension', afterHoursKind: 'voicemail',
  hours_monday: '08:00-16:00', hours_tuesday: '08:00-16:00', hours_wednesday: '08:00-16:00', hours_thursday: '08:00-16:00', hours_friday: '08:00-16:00',
};

export function registerEntryNumberPages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const lookup = () => repos;

  /** Everything the form partial needs, with the error placed next to its field. */
  function formView(form: Form, error?: { field: string; message: string }) {
    const err = (name: string) => (error && error.field === name ? error.message : null);
    const dest = (prefix: 'inHours' | 'afterHours', label: string) => ({
      prefix, label, target: form[`${prefix}Target`] ?? '', error: err(`${prefix}Target`),
      kinds: DESTINATION_KINDS.map((k) => ({ value: k, selected: (form[`${prefix}Kind`] ?? '') === k })),
    });
    return {
      values: form, errors: { number: err('number'), name: err('name'), timeZone: err('timeZone'), holidays: err('holidays') },
      days: WEEK_ORDER.map((day) => ({ day, label: day[0]!.toUpperCase() + day.slice(1), value: form[`hours_${day}`] ?? '', error: err(`hours_${day}`) })),
      destinations: [dest('inHours', 'In business hours, calls go to'), dest('afterHours', 'After hours and on holidays, calls go to')],
    };
  }

  function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const entries = repos.entryNumbers.list().map((e) => entryRow(e, ctx.now()));
    return sendPage(ctx, reply, 'entry-numbers', page(request, 'Business hours', 'hours', { entries, f: formView(EMPTY_FORM), ...extra }), status);
  }

  function editPage(request: FastifyRequest, reply: FastifyReply, number: string, extra: Record<string, unknown> = {}, status = 200) {
    const stored = repos.entryNumbers.get(number)!;
    return sendPage(ctx, reply, 'entry-number-edit', page(request, `Entry number ${number}`, 'hours', {
      number, row: entryRow(stored, ctx.now()), f: formView(entryNumberToForm(stored)), ...extra,
    }), status);
  }

  const failed = (err: unknown) => {
    const e = expectedError(err);
    return { e, error: { field: entryErrorField(e.field, e.message), message: e.message } };
  };

  admin.get('/entry-numbers', async (request, reply) => listPage(request, reply));

  admin.post<{ Body: Form }>('/entry-numbers', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const { stored } = saveEntryNumber(lookup(), entryNumberFromForm(form), { creating: true });
      ctx.audit.record(actorOf(request), 'entry-number.create', stored.number, undefined, stored.definition);
      return reply.redirect(`/admin/entry-numbers/${stored.number}`, 303);
    } catch (err) {
      const { e, error } = failed(err);
      return listPage(request, reply, { error: e.message, f: formView(form, error) }, e.status);
    }
  });

  admin.get<{ Params: { number: string } }>('/entry-numbers/:number', async (request, reply) => {
    if (!repos.entryNumbers.get(request.params.number)) return listPage(request, reply, { error: `Entry number ${request.params.number} does not exist.` }, 404);
    return editPage(request, reply, request.params.number);
  });

  admin.post<{ Params: { number: string }; Body: Form }>('/entry-numbers/:number', async (request, reply) => {
    const before = repos.entryNumbers.get(request.params.number);
    if (!before) return listPage(request, reply, { error: `Entry number ${request.params.number} does not exist.` }, 404);
    const form = { ...(request.body ?? {}), number: before.number };
    try {
      const { stored } = saveEntryNumber(lookup(), entryNumberFromForm(form), { creating: false });
      ctx.audit.record(actorOf(request), 'entry-number.update', stored.number, before.definition, stored.definition);
      return editPage(request, reply, stored.number, { notice: 'Saved.' });
    } catch (err) {
      const { e, error } = failed(err);
      return editPage(request, reply, before.number, { error: e.message, f: formView(form, error) }, e.status);
    }
  });

  admin.post<{ Params: { number: string } }>('/entry-numbers/:number/delete', async (request, reply) => {
    const before = repos.entryNumbers.get(request.params.number);
    if (!before) return listPage(request, reply, { error: `Entry number ${request.params.number} does not exist.` }, 404);
    repos.entryNumbers.remove(before.number);
    ctx.audit.record(actorOf(request), 'entry-number.delete', before.number, before.definition, undefined);
    return listPage(request, reply, { notice: `Entry number ${before.number} deleted.` });
  });
}
