// The limit for P2/P3: a Fastify route that answers 200 and checks nothing. Plain JavaScript run by
// node, like the built service it is compared with.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/auth/verify', async (_request, reply) => reply.code(200).send());
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
