import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { PasswordHasher, type Argon2Params } from 'express-jwt-auth';

/**
 * What the argon2 parameters allow on this machine: password verifications
 * per second with the parameters the bench server hashes with, one
 * verification in flight per core, in a process of its own (no HTTP, no
 * event loop work). Run by the runner as
 * `node argon2-capacity.js <seconds> <params JSON>`; prints JSON.
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3);
  const params: Argon2Params = process.argv[3] ? (JSON.parse(process.argv[3]) as Argon2Params) : new PasswordHasher().params;
  const lanes = availableParallelism();
  const password = Buffer.from('a bench password of decent length');
  const hash = await argon2.hash(password, { type: argon2.argon2id, ...params });
  // One verification per lane first: the first calls pay for thread start-up.
  await Promise.all(Array.from({ length: lanes }, () => argon2.verify(hash, password)));

  let done = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (process.hrtime.bigint() < end) {
        await argon2.verify(hash, password);
        done++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ lanes, params, perSecond: done / elapsed }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`argon2 capacity: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
