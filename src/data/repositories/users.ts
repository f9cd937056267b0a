import type { Db } from '../db.js';
import type { User, UserRepository, UserRole } from '../web-types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';

interface UserRow { id: number; name: string; role: UserRole; password_hash: string; created_at: string; updated_at: string }

const USER_NAME = /^[\p{L}\p{N}._@-]{1,64}$/u;

function toUser(r: UserRow): User {
  return { id: r.id, name: r.name, role: r.role, passwordHash: r.password_hash, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function checkUserName(value: unknown): string {
  const name = String(value ?? '').trim();
  if (!USER_NAME.test(name)) {
    throw new ValidationError(`user name ${JSON.stringify(name)} is not allowed: 1–64 letters, digits, ".", "_", "@" or "-"`, 'name');
  }
  return name;
}

export function createUserRepository(db: Db): UserRepository {
  const insert = db.prepare(
    `INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE name = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY name');
  const count = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM users WHERE role = ?');
  const setHash = db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?');
  const updateRole = db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?');
  const deleteOne = db.prepare('DELETE FROM users WHERE id = ?');

  return {
    add({ name, role, passwordHash }) {
      const checked = checkUserName(name);
      if (role !== 'admin' && role !== 'installer') throw new ValidationError(`role ${JSON.stringify(role)} is not admin or installer`, 'role');
      if (byName.get(checked)) throw new ConflictError(`user ${checked} already exists`, 'name');
      const now = new Date().toISOString();
      const id = Number(insert.run(checked, role, passwordHash, now, now).lastInsertRowid);
      return toUser(byId.get(id)!);
    },
    get(id) {
      const r = byId.get(id);
      return r ? toUser(r) : undefined;
    },
    getByName(name) {
      const r = byName.get(String(name).trim());
      return r ? toUser(r) : undefined;
    },
    list: () => all.all().map(toUser),
    countByRole: (role) => count.get(role)!.n,
    setPasswordHash(id, passwordHash) {
      if (setHash.run(passwordHash, new Date().toISOString(), id).changes === 0) throw new NotFoundError(`user ${id} does not exist`, 'id');
    },
    setRole(id, role) {
      if (role !== 'admin' && role !== 'installer') throw new ValidationError(`role ${JSON.stringify(role)} is not admin or installer`, 'role');
      if (updateRole.run(role, new Date().toISOString(), id).changes === 0) throw new NotFoundError(`user ${id} does not exist`, 'id');
      return toUser(byId.get(id)!);
    },
    remove: (id) => deleteOne.run(id).changes > 0,
  };
}
