import { expect } from 'chai';

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
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value);
  return 'Basic ' + Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64');
}

/** POSTs a form; `body` may be a raw string to send malformed or repeated parameters. */
export function postForm(url: string, body: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Reply> {
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
