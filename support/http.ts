import { expect } from 'chai';
import http from 'http';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value);
  return 'Basic ' + Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64');
}

/** POSTs a form; `body` may be a raw string to send malformed or repeated parameters. */
export function postForm(
  url: string,
  body: Record<string, string> | string,
  headers: Record<string, string> = {}
): Promise<Reply> {
  const encoded = typeof body === 'string' ? body : new URLSearchParams(body).toString();
  return request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: encoded
  });
}

/** An RFC 6749 §5.2 error answer: this status and code, with a description that says why. */
export function expectOAuthError(res: Reply, status: number, error: string, description: RegExp): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.json.error).to.equal(error);
  expect(res.json.error_description).to.match(description);
}

/**
 * A request with what fetch will not send: Connection, Host, Transfer-Encoding
 * on DELETE, a path with dot segments (a URL object resolves them first).
 */
export function rawRequest(
  method: string,
  url: string,
  body: string,
  headers: Record<string, string>
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port, origin } = new URL(url);
    const req = http.request(
      {
        hostname,
        port,
        path: url.slice(origin.length),
        method,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() })
        );
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}
