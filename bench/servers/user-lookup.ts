import { openUserStore } from '../../examples/server/store';
import { publicUser, type PublicUser, type UserStore } from 'express-jwt-auth';
import { BENCH_USER } from './bench-user';

/**
 * The comparison servers read the library server's database, so every server
 * answers with the same account, looked up by id per request as the
 * tutorials do: what differs between them is the authentication alone.
 */
export async function benchUsers(): Promise<{ users: UserStore; id: string; find(id: string): Promise<PublicUser | null> }> {
  const users = openUserStore(process.env.BENCH_DATABASE_URL ?? '');
  const user = await users.findByUsername(BENCH_USER.username);
  if (!user) throw new Error('the library server must create the bench user first');
  return {
    users,
    id: user.id,
    find: async (id) => {
      const found = await users.findById(id);
      return found && publicUser(found);
    },
  };
}
