import type { User } from '../core/user';
import type { UserMatch } from './types';

/**
 * True when `user` has every value `ifMatch` gives: the compare of the
 * compare-and-set that `UserStore.update` does with `ifMatch`. Stores that
 * compare in JavaScript (inside their lock) share it, so they agree with the
 * SQL ones on what a match is: `===`, and a field left out is not compared.
 */
export function matchesUser(user: Pick<User, 'passwordHash' | 'tokenEpoch'>, ifMatch: UserMatch | undefined): boolean {
  if (ifMatch?.passwordHash !== undefined && user.passwordHash !== ifMatch.passwordHash) return false;
  if (ifMatch?.tokenEpoch !== undefined && user.tokenEpoch !== ifMatch.tokenEpoch) return false;
  return true;
}
