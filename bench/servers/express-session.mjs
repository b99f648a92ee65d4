// The peer for P3: Express + express-session + connect-redis, configured as their READMEs recommend,
// answering the same check (is there a signed-in session?).
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';

const client = createClient({ url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const app = express();
app.use(
  session({
    store: new RedisStore({ client, prefix: `bench-${process.pid}:` }),
    secret: 'bench-secret-bench-secret-bench-secret-0123',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'strict', secure: false },
  }),
);
app.post('/login', (req, res) => {
  req.session.user = 'bench';
  res.sendStatus(200);
});
app.get('/auth/verify', (req, res) => {
  res.sendStatus(req.session.user === undefined ? 401 : 200);
});
const server = app.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  const login = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST' });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0];
  process.stdout.write(`${JSON.stringify({ port, cookie })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void client.quit().then(() => process.exit(0));
});
