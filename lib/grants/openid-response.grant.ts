import type { Response } from 'express';
import type { SessionUser } from '../browser/session';
import type { Client } from '../clients/client';
import type { EgServices } from '../eg/types';
import { AccessDenied, InvalidGrant, LoginRequired } from '../errors';
import type { IdTokens } from '../oidc/id-tokens';
import { claimsOfScopes } from '../oidc/oidc-scopes';
import { answersWith, OpenIdResponseType } from '../oidc/response-types';
import type { SessionClients } from '../oidc/session-clients';
import { userClaims } from '../oidc/user-claims';
import { randomId } from '../secret-value';
import type { Settings } from '../settings';
import type { CodeStore } from '../store/code.store';
import type { TokenIssuer } from '../tokens/token.issuer';
import { issueCode, ParsedAuthorization } from './code.grant';
import { issuerResponseModes } from './issuer-response-modes';

interface Deps {
  settings: Settings;
  services: EgServices;
  codes: CodeStore;
  issuer: TokenIssuer;
  idTokens: IdTokens;
  sessions: SessionClients | null;
}

interface Transaction {
  client: Client;
  user: SessionUser;
  redirectURI: string;
  req: ParsedAuthorization & { state?: string };
  res: { allow: boolean };
}

/** The front-channel answer joins the user's sign-in (SessionClients.join), with OpenID Connect's sessions kept. */
async function joinSignIn(deps: Deps, txn: Transaction, grantId: string | null): Promise<void> {
  if (deps.sessions && txn.user.sid) await deps.sessions.join(txn.user.sid, txn.client.id, grantId);
}

/** The fragment's parameters of an allowed request: a code, an access token, an ID token, as the type asks. */
async function answer(type: OpenIdResponseType, txn: Transaction, deps: Deps): Promise<Record<string, string>> {
  const { client, user, req: areq } = txn;
  const params: Record<string, string> = {};
  // Checked when the request came; again here, so that an app changed since leaves nothing issued before the ID token.
  deps.idTokens.subjects.assertGiven(client.app);
  // First, so that nothing is issued to a user deactivated since they signed in.
  const egUser = await deps.services.user.get(user.id);
  if (!egUser || !egUser.isActive) throw new AccessDenied('The user is no longer active');
  // One grant for the code and the token beside it: a replayed code revokes both (RFC 6749 §4.1.2).
  const grantId = randomId(16);
  if (answersWith(type, 'code')) params.code = await issueCode(deps.codes, deps.settings, client, user, areq, grantId);
  let accessToken: string | undefined;
  if (answersWith(type, 'token')) {
    await joinSignIn(deps, txn, grantId);
    let issued;
    try {
      issued = await deps.issuer.issue({
        grantType: 'implicit',
        grantId,
        app: client.app,
        user: { id: user.id, username: user.username },
        scopes: areq.effectiveScopes,
        resources: areq.resources,
        redirectUri: areq.checkedRedirectUri,
        refresh: null,
        requestedClaims: areq.openId?.claims
      });
    } catch (err) {
      // The grant was revoked between joining the sign-in and saving: the user signed out meanwhile.
      throw err instanceof InvalidGrant ? new LoginRequired('The user has signed out') : err;
    }
    accessToken = issued.accessToken;
    Object.assign(params, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: String(issued.params.expires_in)
    });
    if (issued.params.scope) params.scope = issued.params.scope;
  } else if (answersWith(type, 'id_token')) {
    await joinSignIn(deps, txn, null);
  }
  if (areq.state !== undefined) params.state = areq.state;
  // code token (Core §3.3.2.5): the ID token comes with the code's exchange only.
  if (!answersWith(type, 'id_token')) return params;
  // Core §5.4: with no access token ever issued (response type id_token), the scopes' claims go in the ID token.
  const wanted = [
    ...(areq.openId?.claims?.idToken ?? []),
    ...(type === 'id_token' ? claimsOfScopes(areq.effectiveScopes) : [])
  ];
  params.id_token = await deps.idTokens.sign({
    userId: user.id,
    app: client.app,
    nonce: areq.openId?.nonce,
    authTime: user.authTime,
    sid: user.sid,
    accessToken,
    code: params.code,
    amr: ['pwd'],
    claims: wanted.length > 0 ? userClaims(egUser, [...new Set(wanted)], deps.settings.oidc.claims) : undefined
  });
  return params;
}

/**
 * An oauth2orize grant module for an OpenID Connect response type with an ID token or a hybrid one (Core §3.2.2.5,
 * §3.3.2.5): the ID token (with at_hash beside an access token, c_hash beside a code), the access token of the
 * implicit grant, the code of the code grant, all in the fragment with `iss` (RFC 9207). The request was checked
 * before (lib/authorize/): nonce present, openid granted, the client allowed both grants.
 */
export function openIdResponseGrant(type: OpenIdResponseType, deps: Deps) {
  const fragment = issuerResponseModes(deps.settings.issuer).fragment;
  return {
    name: type,
    // state is the checked one (authorization-bridge.ts): a string, or none.
    request(req: { query: Record<string, unknown> }) {
      return { clientID: req.query.client_id, redirectURI: req.query.redirect_uri };
    },
    response(
      txn: Transaction,
      res: Response,
      complete: (done: (err?: Error) => void) => void,
      next: (err: Error) => void
    ) {
      try {
        fragment.validate(txn);
      } catch (err) {
        return next(err as Error);
      }
      if (!txn.res.allow) {
        return fragment(txn, res, {
          error: 'access_denied',
          ...(txn.req.state === undefined ? {} : { state: txn.req.state })
        });
      }
      answer(type, txn, deps)
        .then((params) => complete((err) => (err ? next(err) : fragment(txn, res, params))))
        .catch(next);
    }
  };
}
