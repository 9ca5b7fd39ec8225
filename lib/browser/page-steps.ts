import bodyParser from 'body-parser';
import type { RequestHandler } from 'express';
import type { csrfProtection } from './csrf';
import { pageHeaders } from './page-headers';
import { loadSessionUser } from './session-user';

/** The small forms of the pages: a few short fields. */
const pageForm = bodyParser.urlencoded({ extended: false, limit: 4096, parameterLimit: 10 });

/** The first steps of every page: security headers, the session, the signed-in user. */
export function pageSteps(session: RequestHandler): RequestHandler[] {
  return [pageHeaders, session, loadSessionUser];
}

/**
 * The first steps of every form post: those of a page, the form body, any
 * `guards` that must answer before the CSRF check, then the CSRF check.
 */
export function formPostSteps(
  session: RequestHandler,
  csrf: ReturnType<typeof csrfProtection>,
  ...guards: RequestHandler[]
): RequestHandler[] {
  return largerFormPostSteps(pageForm, session, csrf, ...guards);
}

/** The same, for a form that needs another body parser (more or longer fields). */
export function largerFormPostSteps(
  body: RequestHandler,
  session: RequestHandler,
  csrf: ReturnType<typeof csrfProtection>,
  ...guards: RequestHandler[]
): RequestHandler[] {
  return [...pageSteps(session), body, ...guards, csrf.csrfSynchronisedProtection];
}
