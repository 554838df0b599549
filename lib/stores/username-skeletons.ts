import { usernameSkeletons } from '../core/usernames';

/**
 * A row of the SQL stores' `username_skeletons` table: account `user_id`
 * has a name with this skeleton (one of `usernameSkeletons`). `shared` is ''
 * for the row that holds the skeleton; a unique index on (skeleton, shared)
 * lets only one row per skeleton do so, which is what refuses a new
 * look-alike atomically. A row whose `shared` is its `user_id` shares the
 * skeleton with the holder: the accounts were both there when the table was
 * made (say `al1` and `all`), and both keep working; when the holder goes
 * (removed or renamed), one of them becomes the holder, so the skeleton stays
 * taken while any account has it.
 */
export interface SkeletonRow {
  skeleton: string;
  user_id: string;
  shared: string;
}

/**
 * The rows of the schema step that makes the table, for the accounts as they
 * are, oldest first: the first account with a skeleton holds it, the later
 * ones share it. Never throws for accounts that look alike: they existed
 * before the rule, and the rule is for new names only.
 */
export function skeletonRowsOf(accounts: ReadonlyArray<{ id: string; username: string }>): SkeletonRow[] {
  const held = new Set<string>();
  const rows: SkeletonRow[] = [];
  for (const { id, username } of accounts) {
    for (const skeleton of usernameSkeletons(username)) {
      rows.push({ skeleton, user_id: id, shared: held.has(skeleton) ? id : '' });
      held.add(skeleton);
    }
  }
  return rows;
}

/** What a rename changes: the skeletons of the old name to drop and those of the new name to add. */
export function skeletonChanges(held: readonly string[], username: string): { drop: string[]; add: string[] } {
  const next = usernameSkeletons(username);
  return { drop: held.filter((skeleton) => !next.includes(skeleton)), add: next.filter((skeleton) => !held.includes(skeleton)) };
}
