import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStores, openUserStore, type Stores } from '../../../examples/server/store';
import type { UserStore } from '../../../lib/stores/types';

/**
 * The example's SQLite database holds argon2 hashes and refresh-token hashes:
 * only the server's own user may read it, whatever the umask.
 */
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('the example server SQLite database', () => {
  let dir: string;
  const opened: (Stores | UserStore)[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-modes-'));
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is created 0600 in folders created 0700, and its WAL and shared-memory files are 0600 too', async () => {
    const file = path.join(dir, 'data', 'nested', 'example.db');
    const stores = await openStores(`sqlite:${file}`);
    opened.push(stores);
    await stores.users.create({ username: 'alice', passwordHash: '$argon2id$h' });
    expect(modeOf(path.join(dir, 'data'))).toBe(0o700);
    expect(modeOf(path.join(dir, 'data', 'nested'))).toBe(0o700);
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect([name, modeOf(name)]).toEqual([name, 0o600]);
  });

  it('is created 0600 by the users CLI too', async () => {
    const file = path.join(dir, 'cli', 'example.db');
    const store = openUserStore(`sqlite:${file}`);
    opened.push(store);
    await store.create({ username: 'alice', passwordHash: '$argon2id$h' });
    expect(modeOf(path.join(dir, 'cli'))).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
  });

  it('leaves an existing folder and an existing database file as they are, and keeps its rows', async () => {
    const folder = path.join(dir, 'shared');
    fs.mkdirSync(folder, { mode: 0o750 });
    fs.chmodSync(folder, 0o750);
    const file = path.join(folder, 'example.db');
    const first = await openStores(`sqlite:${file}`);
    await first.users.create({ username: 'alice', passwordHash: '$argon2id$h' });
    await first.close();
    fs.chmodSync(file, 0o640);
    const again = await openStores(`sqlite:${file}`);
    opened.push(again);
    expect((await again.users.list()).map((user) => user.username)).toEqual(['alice']);
    expect(modeOf(folder)).toBe(0o750);
    expect(modeOf(file)).toBe(0o640);
  });
});
