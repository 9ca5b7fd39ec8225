import { consentEntries } from '../oidc/claims-request';
import type { Request, RequestHandler } from 'express';
import type oauth2orize from 'oauth2orize';
import { getAuthorizeRequest } from '../authorize/authorize-request';
import type { SessionUser } from '../browser/session';
import type { Client } from '../clients/client';
import { findClient } from '../clients/client.repository';
import { isRegisteredRedirect } from '../clients/redirect-uri-match';
import type { EgServices } from '../eg/types';
import type { ConsentStore } from '../store/consent.store';
import type { ParsedAuthorization } from './code.grant';
import { pushedRequestUriOf } from '../authorize/pushed-request';

interface Bridge {
  services: EgServices;
  consents: ConsentStore;
  /** Whether a consent given to this client is remembered (and so may skip the consent page). */
  remembersConsentOf(client: Client): boolean;
}

/**
 * Where the checked authorization request (lib/authorize/) meets
 * oauth2orize's grants: clients go into the transaction by id, the checked
 * request is what the code and implicit grants read (scopes, PKCE), and a
 * remembered consent that covers the scopes answers without the page.
 * (The casts: @types/oauth2orize knows fewer callback forms than oauth2orize itself.)
 * @returns oauth2orize's authorization middleware.
 */
export function bridgeAuthorization(
  server: oauth2orize.OAuth2Server,
  { services, consents, remembersConsentOf }: Bridge
): RequestHandler {
  server.serializeClient((client: Client, done) => done(null, client.id));
  server.deserializeClient((id: string, done) => {
    findClient(services, id, 'none').then(
      (client) => done(null, client ?? false),
      (err) => done(err)
    );
  });
  server.grant('*', function checkedRequest(req: Request): ParsedAuthorization {
    const checked = getAuthorizeRequest(req)!;
    return {
      checkedRedirectUri: checked.redirectUri,
      effectiveScopes: checked.scopes ?? [],
      resources: checked.resources ?? [],
      codeChallenge: checked.codeChallenge ?? '',
      codeChallengeMethod: checked.codeChallengeMethod ?? '',
      dpopJkt: checked.dpopJkt,
      pushedRequestUri: pushedRequestUriOf(req),
      redirectUriGiven: checked.redirectUriGiven ?? false,
      openId: checked.openId,
      // The checked state (a string, or none): oauth2orize's own parsers would take a `state[a]=b` object as it came.
      state: checked.state
    };
  } as never);

  return (server.authorization as (...args: unknown[]) => RequestHandler)(
    function validateClient(
      clientId: string,
      redirectUri: string,
      done: (err: Error | null, client?: Client | false, redirectUri?: string) => void
    ) {
      // Already checked by resolveClientAndRedirect; reload so oauth2orize holds the same client.
      findClient(services, clientId, 'none').then(
        (client) => {
          const uri = redirectUri ?? client?.redirectUris[0];
          done(null, client && uri && isRegisteredRedirect(client.redirectUris, uri) ? client : false, uri);
        },
        (err) => done(err)
      );
    },
    function rememberedConsent(
      client: Client,
      user: SessionUser,
      _scope: string[],
      _type: string,
      areq: ParsedAuthorization,
      done: (err: Error | null, allow: boolean) => void
    ) {
      // prompt=consent: ask again, whatever was remembered (OpenID Connect Core §3.1.2.1).
      if (!remembersConsentOf(client) || areq.openId?.prompt.includes('consent')) return done(null, false);
      consents.covers(user.id, client.id, consentEntries(areq.effectiveScopes, areq.openId?.claims)).then(
        (covered) => done(null, covered),
        (err) => done(err, false)
      );
    }
  );
}
