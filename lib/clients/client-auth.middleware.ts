import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isFapi2 } from '../fapi/fapi2-profile';
import { Passport } from 'passport';
import { BasicStrategy } from 'passport-http';
import { Strategy as ClientPasswordStrategy } from 'passport-oauth2-client-password';
import { DocumentClientFailure, type DocumentClients } from '../client-documents/document-clients';
import type { GuessingGuard } from '../credentials/guessing-guard';
import type { EgServices } from '../eg/types';
import { InvalidClient, InvalidRequest } from '../errors';
import { basicChallenge } from '../http/challenge';
import { clientIp } from '../http/client-ip';
import type { Settings } from '../settings';
import type { Client } from './client';
import type { ClientAssertions } from './client-assertion';
import { authenticateClient } from './client.authenticator';
import { findClient } from './client.repository';
import { requireRegisteredAuthMethod } from './registered-auth-method';
import { mtlsMethodOf, type TlsClientAuthentication } from '../mtls/tls-client-auth';

type Verified = (err: Error | null, client?: Client | false) => void;

/** RFC 6749 §2.3.1: the Basic credentials are form-urlencoded before base64. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function hasBasicAuthorization(req: Request): boolean {
  return /^basic /i.test(req.headers.authorization ?? '');
}

function hasClientAssertion(req: Request): boolean {
  return req.body.client_assertion !== undefined || req.body.client_assertion_type !== undefined;
}

/** FAPI 2.0 Security Profile §5.3.2.1: confidential clients only, authenticated with private_key_jwt or mTLS. */
const FAPI2_CLIENTS_ONLY = 'Clients authenticate with private_key_jwt or mutual TLS only here (FAPI 2.0)';

/**
 * Client authentication at the token, revocation and introspection
 * endpoints: client_secret_basic (passport-http), client_secret_post
 * (passport-oauth2-client-password), private_key_jwt (RFC 7523 §2.2), a TLS
 * client certificate (RFC 8705 §2), or none for a public client; on a private Passport instance so nothing
 * touches EG's own. An app that registered one method is held to it. The
 * client lands on `req.user`, where oauth2orize expects it.
 */
export function clientAuthentication(
  services: EgServices,
  guessing: { guard: GuessingGuard; settings: Pick<Settings, 'clientAuth' | 'trustProxy' | 'profile'> },
  realm: string,
  assertions: ClientAssertions,
  documents: DocumentClients,
  tls: TlsClientAuthentication
): RequestHandler[] {
  const passport = new Passport();
  const { guard, settings } = guessing;
  const verify = (method: Client['authMethod']) => (req: Request, id: string, secret: string, done: Verified) => {
    const check = { guard, limits: settings.clientAuth, ip: clientIp(req, settings.trustProxy) };
    authenticateClient(services, check, id, secret, method).then(
      (client) => done(null, client ?? false),
      (err) => done(err)
    );
  };
  const basic = verify('client_secret_basic');
  passport.use(
    'client_secret_basic',
    new BasicStrategy({ passReqToCallback: true }, (req, id, secret, done) =>
      basic(req, formDecode(id), formDecode(secret), done)
    )
  );
  passport.use(
    'client_secret_post',
    new ClientPasswordStrategy({ passReqToCallback: true }, verify('client_secret_post'))
  );

  const challenge = basicChallenge(realm);

  /** RFC 6749 §2.3: one authentication method per request. */
  function requireSingleAuthMethod(req: Request, _res: Response, next: NextFunction): void {
    const methods = [hasBasicAuthorization(req), req.body.client_secret !== undefined, hasClientAssertion(req)];
    if (methods.filter(Boolean).length > 1) {
      return next(new InvalidRequest('The client authenticated with more than one method'));
    }
    next();
  }

  /**
   * A client that names itself with client_id alone: one that authenticates with its TLS certificate (RFC 8705 §2),
   * or a public client, which proves nothing (RFC 6749 §2.1, §3.2.1; a client_id URL: its metadata document says it
   * is public).
   */
  function authenticateByClientId(req: Request, next: NextFunction): void {
    const clientId = req.body.client_id;
    documents
      .ensure(clientId, 'authenticate', clientIp(req, settings.trustProxy))
      .then(() => findClient(services, clientId, 'none'))
      .then(async (client) => {
        if (!client) throw new InvalidClient('Client authentication failed');
        const method = mtlsMethodOf(client.app);
        if (method) return tls.authenticate(req, client, method);
        if (isFapi2(settings)) throw new InvalidClient(FAPI2_CLIENTS_ONLY);
        if (!client.isPublic) throw new InvalidClient('Client authentication failed');
        return client;
      })
      .then(
        (client) => {
          req.user = client;
          next();
        },
        (err) =>
          next(
            err instanceof DocumentClientFailure
              ? new InvalidClient(`Client authentication failed: ${err.message}`)
              : err
          )
      );
  }

  function authenticate(req: Request, res: Response, next: NextFunction): void {
    const basicUsed = hasBasicAuthorization(req);
    if (isFapi2(settings) && (basicUsed || req.body.client_secret !== undefined))
      return next(new InvalidClient(FAPI2_CLIENTS_ONLY));
    if (hasClientAssertion(req)) {
      assertions.authenticate(req.body, clientIp(req, settings.trustProxy)).then((client) => {
        req.user = client;
        next();
      }, next);
      return;
    }
    if (!basicUsed && req.body.client_secret === undefined && typeof req.body.client_id === 'string') {
      return authenticateByClientId(req, next);
    }
    if (isFapi2(settings)) return next(new InvalidClient(FAPI2_CLIENTS_ONLY));
    const strategy = basicUsed ? 'client_secret_basic' : 'client_secret_post';
    passport.authenticate(strategy, { session: false }, (err: Error | null, client: Client | false) => {
      if (err instanceof InvalidClient && basicUsed) err.headers['WWW-Authenticate'] = challenge;
      if (err) return next(err);
      if (!client) {
        const failure = new InvalidClient('Client authentication failed');
        if (basicUsed) failure.headers['WWW-Authenticate'] = challenge;
        return next(failure);
      }
      if (req.body.client_id !== undefined && req.body.client_id !== client.id) {
        return next(new InvalidRequest('The client_id parameter does not match the authenticated client'));
      }
      req.user = client;
      next();
    })(req, res, next);
  }

  return [requireSingleAuthMethod, authenticate, requireRegisteredAuthMethod(realm)];
}
