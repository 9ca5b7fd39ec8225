import type { Request } from 'express';
import { InvalidRequest } from '../errors';
import { readBody } from '../http/replayable-form';

const FORM = 'application/x-www-form-urlencoded';
/** Bodies that are not forms (client registration JSON) are read up to this size. */
const MAX_OTHER_BODY_BYTES = 1048576;

/**
 * A request to the front proxy as the gateway reads it. What goes upstream
 * is re-serialised from `query` and `form`, never the client's own bytes: an
 * upstream then parses exactly what the gateway checked (issue 15, item 5).
 */
export interface ProxiedRequest {
  query: URLSearchParams;
  /** The body as a form, or null when it is not one. */
  form: URLSearchParams | null;
  /** The body as received. */
  body: Buffer;
}

/**
 * Reads the query and the whole body (forms at most `maxFormBytes`).
 * @throws InvalidRequest for a body too large, or a form with a Content-Encoding (the gateway would check other bytes
 * than the upstream reads).
 */
export async function readProxiedRequest(req: Request, maxFormBytes: number): Promise<ProxiedRequest> {
  const isForm = req.is(FORM) === FORM;
  const body = await readBody(req, isForm ? maxFormBytes : MAX_OTHER_BODY_BYTES);
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (isForm && encoding !== 'identity') throw new InvalidRequest('A form body must not have a Content-Encoding');
  const query = new URL(req.originalUrl, 'http://gateway').searchParams;
  return { query, form: isForm ? new URLSearchParams(body.toString('utf8')) : null, body };
}

/**
 * The endpoints where the gateway decides on parameters (authorization and
 * token) must be able to read all of them: a body of another kind, or a body
 * on a GET that an upstream might read, could carry parameters it never checked.
 * @throws InvalidRequest
 */
export function requireFormBody(req: Request, { form, body }: ProxiedRequest): void {
  if (body.length === 0) return;
  if (req.method === 'GET' || req.method === 'HEAD')
    throw new InvalidRequest('A GET request has no body: send the parameters in the query');
  if (!form) throw new InvalidRequest(`The request body must be ${FORM}`);
}

/**
 * Names every form parser reads alike. PHP reads `grant.type`, `grant type`
 * and `grant[type]` as `grant_type`, and other servers have rules of their
 * own, so a name outside these could become, upstream, the parameter the
 * gateway checked with another value.
 */
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;

/** @throws InvalidRequest naming the first parameter (query or form) whose name is not plain. */
export function refuseAmbiguousNames({ query, form }: ProxiedRequest): void {
  for (const params of form ? [query, form] : [query]) {
    for (const name of params.keys()) {
      if (!PLAIN_NAME.test(name)) {
        throw new InvalidRequest(
          `The parameter name ${JSON.stringify(name.slice(0, 40))} is not accepted: only letters, digits, _ and - are`
        );
      }
    }
  }
}

/**
 * The body to send upstream: a form re-serialised from what was read (and perhaps edited), any other body unchanged.
 */
export function bodyForUpstream({ form, body }: ProxiedRequest): { body: Buffer; headers: Record<string, string> } {
  return form ? { body: Buffer.from(form.toString()), headers: { 'content-type': FORM } } : { body, headers: {} };
}

/**
 * A browser re-posts a form after a 307 as it sent it, so the gateway cannot
 * re-serialise it: it admits only the bytes its re-serialisation would give,
 * which is how browsers encode forms (the WHATWG urlencoded serializer both use).
 * @throws InvalidRequest
 */
export function requireBrowserEncoding({ form, body }: ProxiedRequest): void {
  if (form && !Buffer.from(form.toString()).equals(body)) {
    throw new InvalidRequest(
      'The form must be encoded as browsers encode it (spaces as +, every other reserved character percent-encoded, no ;)'
    );
  }
}
