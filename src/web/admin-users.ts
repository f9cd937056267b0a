/** Admin page for web accounts: list, add an installer or admin (password typed or generated once). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkUserName } from '../data/repositories/users.js';
import { ValidationError } from '../errors.js';
import { generatePassword } from '../util/secrets.js';
import { checkNewPassword } from './auth-routes.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { hashPassword } from './passwords.js';

const GENERATED_USER_PASSWORD_LENGTH = 16;

export function registerUserPages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const show = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) =>
    sendPage(ctx, reply, 'users', page(request, 'Users', 'users', {
      users: repos.users.list().map(({ passwordHash: _h, ...u }) => u), form: { role: 'installer' }, ...extra,
    }), status);

  admin.get('/users', async (request, reply) => show(request, reply));

  admin.post<{ Body: { name?: string; role?: string; password?: string } }>('/users', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const name = checkUserName(form.name);
      if (form.role !== 'admin' && form.role !== 'installer') throw new ValidationError('choose a role: admin or installer', 'role');
      const generated = form.password ? undefined : generatePassword(GENERATED_USER_PASSWORD_LENGTH);
      const password = generated ?? checkNewPassword(form.password);
      const user = repos.users.add({ name, role: form.role, passwordHash: await hashPassword(password, ctx.options.scryptCost) });
      ctx.audit.record(actorOf(request), 'user.create', user.name, undefined, { name: user.name, role: user.role, password });
      return show(request, reply, {
        notice: `User ${user.name} (${user.role}) added.`,
        ...(generated ? { shownOnce: { label: `Password for ${user.name}`, value: generated } } : {}),
      });
    } catch (err) {
      const e = expectedError(err);
      return show(request, reply, { error: e.message, field: e.field, form: { name: form.name, role: form.role } }, e.status);
    }
  });
}
