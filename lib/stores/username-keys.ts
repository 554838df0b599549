import { UsernameCollisionError, type UsernameCollision } from '../core/errors';
import { usernameKey } from '../core/usernames';

/** A `users` row as the re-keying reads it. */
export interface KeyedRow {
  id: string;
  username: string;
  username_key: string;
}

/**
 * The schema step that recomputes every stored `username_key` with the
 * current `usernameKey`, shared by the SQLite and PostgreSQL migrations (they
 * run it in JavaScript, inside their migration transaction). Resolves the
 * rows whose key changes, with their new key; throws UsernameCollisionError,
 * naming every account involved, when two rows would get one key: the
 * migration then rolls back, and no account is merged or dropped.
 */
export function rekeyUsernames(rows: readonly KeyedRow[]): Array<{ id: string; key: string }> {
  const byKey = new Map<string, KeyedRow[]>();
  for (const row of rows) {
    const key = usernameKey(row.username);
    const group = byKey.get(key);
    if (group) group.push(row);
    else byKey.set(key, [row]);
  }
  const collisions: UsernameCollision[] = [];
  for (const [key, group] of byKey) {
    if (group.length > 1) collisions.push({ key, accounts: group.map(({ id, username }) => ({ id, username })) });
  }
  if (collisions.length > 0) {
    // A stable report: groups by key, accounts by username then id (code-point order).
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    for (const collision of collisions) (collision.accounts as Array<{ id: string; username: string }>).sort((a, b) => order(a.username, b.username) || order(a.id, b.id));
    throw new UsernameCollisionError(collisions.sort((a, b) => order(a.key, b.key)));
  }
  const changes: Array<{ id: string; key: string }> = [];
  for (const [key, [row]] of byKey) if (row!.username_key !== key) changes.push({ id: row!.id, key });
  return changes;
}
