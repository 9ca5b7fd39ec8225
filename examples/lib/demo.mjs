/**
 * What every sample shares: the running demo's details (demo.json, written by
 * `npm start`), endpoint discovery (RFC 8414), and `call`, which prints each
 * request and response with secrets shortened, and `check`, which stops the
 * sample with exit status 1 when an answer is not the expected one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DEMO_DIR = process.env.OAUTH2_DEMO_DIR ?? path.join(os.tmpdir(), 'express-gateway-plugin-oauth2-demo');
const DEMO_JSON = path.join(DEMO_DIR, 'demo.json');

/** Form fields, JSON members and headers whose values are never printed whole. */
const SECRET = new Set([
  'client_secret',
  'password',
  'code',
  'code_verifier',
  'access_token',
  'refresh_token',
  'token',
  'assertion',
  'client_assertion',
  'device_code',
  'id_token',
  'authorization',
  'clientSecret'
]);

function loadDemo() {
  try {
    return JSON.parse(fs.readFileSync(DEMO_JSON, 'utf8'));
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    console.error(
      `No ${DEMO_JSON}: start the demo first: npm start (or set OAUTH2_DEMO_DIR to where it writes demo.json)`
    );
    process.exit(1);
  }
}

/** The demo: gateway URL, clients, user, assertion keys (see demo/demo-json.ts). */
export const demo = loadDemo();

/** `abcd…wxyz`: enough to tell two values apart, not enough to use one. */
export function short(value) {
  const text = String(value);
  return text.length <= 12 ? text : `${text.slice(0, 4)}…${text.slice(-4)}`;
}

const shortHeader = (name, value) => {
  if (name.toLowerCase() !== 'authorization') return value;
  const [scheme, credentials] = value.split(' ');
  return `${scheme} ${short(credentials)}`;
};

/** Headers the gateway adds for the backend that say who called, with which token. */
const told = (name) => name.startsWith('eg-token-') || /^eg-consumer-(id|type|name|username)$/.test(name);

/** A copy of a JSON value with secret members shortened; an echo backend answer shows only what the gateway told it. */
function printable(json) {
  if (json && typeof json === 'object' && 'method' in json && 'url' in json && typeof json.headers === 'object') {
    const headers = Object.fromEntries(Object.entries(json.headers).filter(([name]) => told(name)));
    return {
      'the echo backend received': `${json.method} ${json.url}`,
      'with the headers (eg-token-*, eg-consumer-*)': headers
    };
  }
  return JSON.parse(
    JSON.stringify(json, (key, value) => {
      if (SECRET.has(key) && typeof value === 'string') return short(value);
      // A server entry's secrets map: client_id -> client_secret.
      if (key === 'secrets' && value && typeof value === 'object')
        return Object.fromEntries(Object.entries(value).map(([id, secret]) => [id, short(secret)]));
      return value;
    })
  );
}

const indent = (text) => text.replace(/^/gm, '    ');

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into HTTP Basic. */
const basic = ({ id, secret }) => {
  const encode = (text) => new URLSearchParams([['', text]]).toString().slice(1);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
};

/**
 * One HTTP request, printed with its response.
 * `form`: fields sent as application/x-www-form-urlencoded; `json`: a JSON body; `auth`: a client `{ id, secret }`
 * for HTTP Basic; `bearer`: an access token; `headers`: more headers; `show`: which members of a
 * JSON answer to print (default: all). Resolves to `{ status, headers, json, text }`.
 */
export async function call(method, url, { form, json: body, auth, bearer, headers = {}, show } = {}) {
  const sent = { ...headers };
  if (auth) sent.Authorization = basic(auth);
  if (bearer) sent.Authorization = `Bearer ${bearer}`;
  if (form) sent['Content-Type'] = 'application/x-www-form-urlencoded';
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  console.log(`\n→ ${method} ${url}`);
  for (const [name, value] of Object.entries(sent)) console.log(`    ${name}: ${shortHeader(name, value)}`);
  for (const [name, value] of Object.entries(form ?? {}))
    console.log(`    ${name}=${SECRET.has(name) ? short(value) : value}`);
  if (body !== undefined) console.log(indent(JSON.stringify(printable(body), null, 2)));

  let res;
  try {
    res = await fetch(url, {
      method,
      headers: sent,
      body: form ? new URLSearchParams(form) : body !== undefined ? JSON.stringify(body) : undefined,
      redirect: 'manual'
    });
  } catch (err) {
    check(false, `${method} ${url} failed (${err.cause?.code ?? err.message}): is the demo running? npm start`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  console.log(`← ${res.status} ${res.statusText}`);
  for (const name of ['www-authenticate', 'location']) {
    if (res.headers.has(name)) console.log(`    ${name}: ${res.headers.get(name)}`);
  }
  const shown = show && json ? Object.fromEntries(Object.entries(json).filter(([name]) => show(name))) : json;
  if (json !== undefined)
    console.log(indent(JSON.stringify(printable(shown), null, 2)) + (shown === json ? '' : '\n    (and more)'));
  else if (text) console.log(indent(`(${text.length} characters of ${res.headers.get('content-type')})`));
  return { status: res.status, headers: res.headers, json, text };
}

/** What a failed check does: end the sample with exit status 1 (the web app samples show an error page first). */
export const failure = { handle: () => process.exit(1) };

/** Prints ✓ and goes on, or prints ✗ and fails the sample. */
export function check(condition, message) {
  if (!condition) {
    console.error(`✗ ${message}`);
    failure.handle(message);
  }
  console.log(`✓ ${message}`);
}

/** The authorization server's metadata (RFC 8414 §3): where each endpoint is, rather than guessing paths. */
export async function discover() {
  const res = await call('GET', new URL('/.well-known/oauth-authorization-server', demo.gateway).toString(), {
    show: (name) => name === 'issuer' || name.endsWith('_endpoint')
  });
  check(res.status === 200 && res.json?.issuer === demo.gateway, `the metadata names the issuer ${demo.gateway}`);
  return res.json;
}

/** The demo's protected API (an echo backend behind the gateway's oauth2 policy). */
export const api = (pathname) => new URL(pathname, demo.gateway).toString();

export const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
