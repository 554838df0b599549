import express from 'express';
import { createAuth, MemoryUserStore, publicUser } from 'express-jwt-auth';

const users = new MemoryUserStore();
const auth = createAuth({ secret: process.env.JWT_SECRET, issuer: 'https://api.example.com', audience: 'example-api', users });

const app = express();
app.all('/token', auth.token()); // password and refresh grants, form or JSON; any other method: 405
app.all('/revoke', auth.revoke()); // logout (RFC 7009)
app.get('/users/me', auth.authenticate(), (req, res) => { res.json(req.user); }); // never the password hash
app.get('/admin/users', auth.requireScopes('admin'), async (_req, res) => { res.json((await users.list()).map(publicUser)); });

// One account to try it with; your sign-up route or admin tool makes the real ones.
const port = Number(process.env.PORT ?? 3000);
auth.passwords
  .hash('correct horse battery staple')
  .then((passwordHash) => users.create({ username: 'alice', passwordHash, scopes: ['admin'] }))
  .then(() => app.listen(port, () => console.log(`listening on http://localhost:${port}`)));
