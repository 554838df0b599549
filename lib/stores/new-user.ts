import { randomUUID } from 'node:crypto';
import type { User } from '../core/user';
import { normalizeUsername } from '../core/usernames';
import type { NewUser } from './types';

/**
 * The record `UserStore.create` stores for `input` at `now` (ms): a new id,
 * the username in NFC, and the contract's defaults. Every store builds it
 * here, so they cannot disagree on a default.
 */
export function newUserRecord(input: NewUser, now: number): User {
  return {
    id: randomUUID(),
    username: normalizeUsername(input.username),
    email: input.email ?? null,
    passwordHash: input.passwordHash,
    // Copied so the caller's array is not shared with the store.
    scopes: [...(input.scopes ?? [])],
    disabled: input.disabled ?? false,
    tokenEpoch: input.tokenEpoch ?? 0,
    createdAt: new Date(now),
    updatedAt: new Date(now),
  };
}
