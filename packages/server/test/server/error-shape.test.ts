import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends `text` as is on a new connection and reads the one answer (the connection is closed after it). */
function exchange(port: number, text: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that answers before reading everything may reset the connection: the answer still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = raw.slice(0, split < 0 ? raw.length : split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = split < 0 ? '' : raw.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 4 + size);
  }
}

const request = (method: string, target: string, headers: string[] = [], body = ''): string =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;

describe('every error answer is {"error": {"code", "message"}}, over real HTTP', () => {
  let svc: TestService;
  let port: number;
  let admin: string;
  const cookies = (n: number) => `Cookie: ${Array.from({ length: n }, (_, i) => `c${i}=v`).join('; ')}`;
  const json = (text: string) => ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(text)}`];

  before(async () => {
    svc = await startTestService();
    await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
    port = (svc.runtime.app.server.address() as AddressInfo).port;
    admin = `Authorization: Bearer ${svc.adminKey}`;
  });
  after(() => svc.close());

  // [what, raw request, expected status, expected code]
  const table = (): [string, string, number, string][] => [
    ['a bad percent-encoding in a path parameter', request('GET', '/api/v1/sessions/%ff%fe', [admin]), 400, 'invalid_request'],
    ['a bad percent-encoding on the self-service path', request('DELETE', '/auth/sessions/%ff%fe'), 400, 'invalid_request'],
    ['a 5,000-character id', request('GET', `/api/v1/sessions/${'a'.repeat(5000)}`, [admin]), 414, 'uri_too_long'],
    ['10,000 cookies (router)', request('GET', '/auth/session', [cookies(10_000)]), 431, 'headers_too_large'],
    ['10,000 cookies (forward-auth fast path)', request('GET', '/auth/verify', [cookies(10_000)]), 431, 'headers_too_large'],
    ['3,000 headers', request('GET', '/auth/verify', Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`)), 431, 'headers_too_large'],
    ['a 100 KB URL', request('GET', `/auth/verify?audience=${'a'.repeat(100_000)}`), 431, 'headers_too_large'],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'invalid_request'],
    ['a bad chunk size', request('POST', '/auth/login', ['Content-Type: application/json', 'Transfer-Encoding: chunked'], 'zz\r\n'), 400, 'invalid_request'],
    ['Content-Length with Transfer-Encoding', request('POST', '/auth/login', ['Content-Length: 3', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), 400, 'invalid_request'],
    ['an unknown route', request('GET', '/nope'), 404, 'not_found'],
    ['an unknown route with a 5,000-character path', request('GET', `/${'n'.repeat(5000)}`), 404, 'not_found'],
    ['a method the path does not take', request('PUT', '/auth/login', ['Content-Length: 0']), 405, 'method_not_allowed'],
    ['a method the admin path does not take', request('POST', '/api/v1/sessions/abc', [admin, 'Content-Length: 0']), 405, 'method_not_allowed'],
    ['an unsupported content type', request('POST', '/auth/login', ['Content-Type: text/xml', 'Content-Length: 3'], 'abc'), 400, 'invalid_request'],
    ['invalid JSON', request('POST', '/auth/login', json('{"a"'), '{"a"'), 400, 'invalid_request'],
    ['an empty JSON body', request('POST', '/auth/login', ['Content-Type: application/json', 'Content-Length: 0']), 400, 'invalid_request'],
    ['a body over the limit', request('POST', '/auth/login', json('a'.repeat(100_000)), 'a'.repeat(100_000)), 413, 'payload_too_large'],
    ['a body that fails the schema', request('POST', '/auth/login', json('{"username":[[[]]]}'), '{"username":[[[]]]}'), 400, 'invalid_request'],
    ['a 5,000-deep JSON policy', request('PATCH', '/api/v1/environment/sessions', [admin, ...json(`{"idle_timeout":${'['.repeat(5000)}${']'.repeat(5000)}}`)], `{"idle_timeout":${'['.repeat(5000)}${']'.repeat(5000)}}`), 400, 'invalid_request'],
    ['an unknown 20 KB organization code in a body', request('POST', '/api/v1/users', [admin, ...json(JSON.stringify({ username: 'u', password: 'correct horse battery', orgs: ['o'.repeat(20_000)] }))], JSON.stringify({ username: 'u', password: 'correct horse battery', orgs: ['o'.repeat(20_000)] })), 400, 'invalid_request'],
    ['a credential in the query string', request('GET', '/auth/session?access_token=x'), 400, 'invalid_request'],
    ['a bad limit', request('GET', '/api/v1/sessions?limit=abc', [admin]), 400, 'invalid_request'],
    ['a garbage cursor on sessions', request('GET', '/api/v1/sessions?cursor=%00%ff!!', [admin]), 400, 'invalid_request'],
    ['a garbage cursor on users', request('GET', '/api/v1/users?cursor=%00%ff!!', [admin]), 400, 'invalid_request'],
    ['a garbage cursor on organizations', request('GET', '/api/v1/organizations?cursor=!!', [admin]), 400, 'invalid_request'],
    ['a garbage cursor on a user’s sessions', request('GET', '/api/v1/users/usr_x/sessions?cursor=!!', [admin]), 404, 'not_found'],
    ['no admin credential', request('GET', '/api/v1/sessions'), 401, 'unauthorized'],
    ['a bad forward-auth audience', request('GET', '/auth/verify?audience=%ff%fe'), 400, 'invalid_request'],
  ];

  it('answers each hostile request with its status and the error shape, never a framework body', async () => {
    const failures: string[] = [];
    for (const [what, text, status, code] of table()) {
      const answer = await exchange(port, text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.body);
      } catch {
        parsed = undefined;
      }
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const shaped =
        parsed !== undefined &&
        Object.keys(parsed as object).join() === 'error' &&
        error !== undefined &&
        Object.keys(error).sort().join() === 'code,message' &&
        typeof error.message === 'string' &&
        error.message.length <= 300;
      if (answer.status !== status || !shaped || error?.code !== code || !/^application\/json/.test(answer.headers['content-type'] ?? '')) {
        failures.push(`${what}: ${answer.status} ${answer.headers['content-type'] ?? ''} ${answer.body.slice(0, 160)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('names cursor in a refused cursor, on every list', async () => {
    const user = await svc.createUser('lister', 'correct horse battery');
    for (const path of ['/api/v1/sessions', '/api/v1/users', '/api/v1/organizations', `/api/v1/users/${user.id}/sessions`]) {
      const res = await svc.request({ method: 'GET', url: `${path}?cursor=${encodeURIComponent('\u0000\u00ff!!')}`, bearer: svc.adminKey });
      assert.equal(res.status, 400, path);
      assert.match(res.json.error.message, /^cursor /, path);
    }
  });
});
