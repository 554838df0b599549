import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { PasswordHasher } from '../../lib/login/passwords';
import { SqliteUserStore } from '../../lib/stores/sqlite/users';

describe("the README's quick start (examples/quickstart.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'quickstart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('logs alice in, returns her at /users/me and lists users for an admin without hashes', async () => {
    const db = join(dir, 'users.db');
    const seed = new SqliteUserStore(db);
    await seed.create({ username: 'alice', passwordHash: await new PasswordHasher().hash('correct horse'), scopes: ['admin'] });
    await seed.close();

    process.env.USERS_DB = db;
    process.env.JWT_SECRET = 'quickstart-secret-of-at-least-32-bytes!';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { app } = require('../../examples/quickstart') as typeof import('../../examples/quickstart');

    const login = await request(app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: 'correct horse' });
    expect(login.status).toBe(200);
    const bearer = `Bearer ${login.body.access_token}`;
    const me = await request(app).get('/users/me').set('Authorization', bearer);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('alice');
    const list = await request(app).get('/admin/users').set('Authorization', bearer);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ username: 'alice' })]);
    expect(JSON.stringify(list.body)).not.toContain('argon2');
    expect((await request(app).get('/users/me')).headers['www-authenticate']).toBe('Bearer realm="api"');
  });
});
