/**
 * Admin page for web accounts: list, add an installer or admin (password typed or generated
 * once), change a role, reset a password (generated, shown once), delete. An admin cannot
 * delete or demote themselves, and the last admin stays an admin. A role change, a password
 * reset and a deletion end that user's sessions: whoever held the old password or role must
 * log in again (a reset of your own password keeps the session you did it from).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../data/types.js';
import { checkUserName } from '../data/repositories/users.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { generatePassword } from '../util/secrets.js';
import { checkNewPassword } from './auth-routes.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { hashPassword } from './passwords.js';

const GENERATED_USER_PASSWORD_LENGTH = 16;

const loggedOut = (n: number) => (n === 1 ? '1 open session logged out' : `${n} open sessions logged out`);

export const publicUser = ({ passwordHash: _h, ...u }: User) => u;

/** The rules for changing accounts, shared by the page and the API. */
export function userAdmin(ctx: WebContext) {
  const { repos } = ctx;
  const mustGet = (id: number) => {
    const user = Number.isInteger(id) ? repos.users.get(id) : undefined;
    if (!user) throw new NotFoundError(`user ${id} does not exist`, 'id');
    return user;
  };
  return {
    mustGet,
    setRole(id: number, role: unknown, actingUserId: number | null): { before: User; after: User } {
      const before = mustGet(id);
      if (role !== 'admin' && role !== 'installer') throw new ValidationError('choose a role: admin or installer', 'role');
      if (before.role === 'admin' && role !== 'admin') {
        if (before.id === actingUserId) throw new ConflictError('you cannot take away your own admin role (ask another admin)', 'role');
        if (repos.users.countByRole('admin') <= 1) throw new ConflictError(`${before.name} is the last admin; make someone else admin first`, 'role');
      }
      const after = repos.users.setRole(before.id, role);
      if (after.role !== before.role) repos.sessions.removeForUser(after.id);
      return { before, after };
    },
    /** keepSessionIdHash: the acting admin's own session, kept when they reset their own password. */
    async resetPassword(id: number, keepSessionIdHash?: string): Promise<{ user: User; password: string; sessionsEnded: number }> {
      const user = mustGet(id);
      const password = generatePassword(GENERATED_USER_PASSWORD_LENGTH);
      repos.users.setPasswordHash(user.id, await hashPassword(password, ctx.options.scryptCost));
      return { user, password, sessionsEnded: repos.sessions.removeForUser(user.id, keepSessionIdHash) };
    },
    remove(id: number, actingUserId: number | null): User {
      const user = mustGet(id);
      if (user.id === actingUserId) throw new ConflictError('you cannot delete your own account', 'id');
      if (user.role === 'admin' && repos.users.countByRole('admin') <= 1) throw new ConflictError(`${user.name} is the last admin and cannot be deleted`, 'id');
      repos.sessions.removeForUser(user.id);
      repos.users.remove(user.id);
      return user;
    },
  };
}

export function registerUserPages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const show = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) =>
    sendPage(ctx, reply, 'users', page(request, 'Users', 'users', {
      users: repos.users.list().map((u) => ({ ...publicUser(u), self: u.id === request.webAuth?.user.id })), form: { role: 'installer' }, ...extra,
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

  const rules = userAdmin(ctx);
  const selfId = (request: FastifyRequest) => request.webAuth?.user.id ?? null;

  admin.post<{ Params: { id: string }; Body: { role?: string } }>('/users/:id/role', async (request, reply) => {
    try {
      const { before, after } = rules.setRole(Number(request.params.id), request.body?.role, selfId(request));
      ctx.audit.record(actorOf(request), 'user.role', after.name, { role: before.role }, { role: after.role });
      const relogin = after.role !== before.role ? ' Their open sessions were ended: they log in again with the new role.' : '';
      return show(request, reply, { notice: `${after.name} is now ${after.role}.${relogin}` });
    } catch (err) {
      const e = expectedError(err);
      return show(request, reply, { error: e.message }, e.status);
    }
  });

  admin.post<{ Params: { id: string } }>('/users/:id/reset-password', async (request, reply) => {
    try {
      const { user, password, sessionsEnded } = await rules.resetPassword(Number(request.params.id), request.webAuth?.session.idHash);
      ctx.audit.record(actorOf(request), 'user.reset-password', user.name, { password: '' }, { password, sessionsEnded });
      return show(request, reply, {
        notice: `New password for ${user.name} generated; ${loggedOut(sessionsEnded)}.`,
        shownOnce: { label: `Password for ${user.name}`, value: password },
      });
    } catch (err) {
      const e = expectedError(err);
      return show(request, reply, { error: e.message }, e.status);
    }
  });

  admin.post<{ Params: { id: string } }>('/users/:id/delete', async (request, reply) => {
    try {
      const user = rules.remove(Number(request.params.id), selfId(request));
      ctx.audit.record(actorOf(request), 'user.delete', user.name, { name: user.name, role: user.role }, undefined);
      return show(request, reply, { notice: `User ${user.name} deleted.` });
    } catch (err) {
      const e = expectedError(err);
      return show(request, reply, { error: e.message }, e.status);
    }
  });
}
