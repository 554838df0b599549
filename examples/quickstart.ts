// The README's quick start, kept runnable: `JWT_SECRET=… node build/examples/quickstart.js`.
import express from 'express';
import { createAuth, publicUser } from 'express-jwt-auth';
import { SqliteUserStore } from 'express-jwt-auth/sqlite';

const users = new SqliteUserStore(process.env.USERS_DB ?? 'users.db');
const auth = createAuth({ secret: process.env.JWT_SECRET!, issuer: 'https://api.example.com', audience: 'example-api', users });

export const app = express();
app.post('/token', auth.token()); // password grant, form or JSON
app.get('/users/me', auth.authenticate(), (req, res) => { res.json(req.user); }); // req.user has no password hash
app.get('/admin/users', auth.requireScopes('admin'), async (_req, res) => { res.json((await users.list()).map(publicUser)); });

if (require.main === module) app.listen(Number(process.env.PORT ?? 3000));
