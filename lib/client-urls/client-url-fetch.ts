import http from 'http';
import https from 'https';
import type { FetchedDocument } from '../keys/remote-jwks';
import { ClientUrlRules, clientUrlProblem } from './client-url-rule';
import { publicLookup } from './public-lookup';

/** The fetch took longer than `clientUrls.timeout`; named as AbortSignal.timeout names it. */
class FetchTimeout extends Error {
  override name = 'TimeoutError';
}

/**
 * GETs a URL a client supplied (its jwks_uri), or POSTs `form` to it (its
 * back-channel logout URI), under `clientUrls`: only what
 * clientUrlProblem allows, connecting only to public addresses
 * (publicLookup), on a connection of its own (no pooled socket made for
 * another URL), following no redirect, without compression, reading at most
 * `maxBytes` (nothing of a POST's answer but its status) and giving up
 * after `rules.timeout` milliseconds in all.
 * @returns the status and body of the answer.
 * @throws an Error saying why nothing usable came back.
 */
export function fetchClientUrl(
  url: string,
  rules: ClientUrlRules,
  maxBytes: number,
  form?: Record<string, string>
): Promise<FetchedDocument> {
  const problem = clientUrlProblem(url, rules);
  if (problem) return Promise.reject(new Error(`the URL ${problem}`));
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const body = form && new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const request = transport.request(target, {
      method: body === undefined ? 'GET' : 'POST',
      headers:
        body === undefined
          ? { Accept: 'application/json' }
          : { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
      agent: false,
      lookup: rules.allowPrivateNetworks ? undefined : publicLookup
    });
    const timer = setTimeout(
      () => request.destroy(new FetchTimeout(`no answer within ${rules.timeout} ms`)),
      rules.timeout
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      request.destroy();
      reject(err);
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (body !== undefined) {
        // A POST's answer is its status: the body is not read (however long), the connection let go.
        clearTimeout(timer);
        response.destroy();
        return resolve({ status, text: '' });
      }
      if (status >= 300 && status < 400) return fail(new Error(`answered ${status}; redirects are not followed`));
      if (Number(response.headers['content-length']) > maxBytes)
        return fail(new Error(`answered more than ${maxBytes} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(new Error(`answered more than ${maxBytes} bytes`));
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete) fail(new Error('the answer was cut short'));
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers });
      });
    });
    request.end(body);
  });
}
