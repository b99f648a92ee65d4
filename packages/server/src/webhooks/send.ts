import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup } from './address-guard.ts';

export type SendResult = { readonly ok: boolean; readonly status: number | null; readonly error: string | null };

/**
 * POSTs one webhook body: no redirect followed, every resolved address checked at connect time
 * (`guardedLookup`), the whole attempt bounded by `timeout` seconds. Never throws.
 */
export function sendWebhook(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  options: { readonly timeout: number; readonly allowPrivate: boolean; readonly signal?: AbortSignal },
): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Tenure-Webhooks/1' },
        lookup: guardedLookup(options.allowPrivate) as never,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          finish({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : `answered ${status}` });
        });
        res.on('error', (error) => finish({ ok: false, status: res.statusCode ?? null, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeout} s`));
    }, options.timeout * 1000);
    req.on('error', (error) => finish({ ok: false, status: null, error: error.message.slice(0, 300) }));
    req.end(body);
  });
}
