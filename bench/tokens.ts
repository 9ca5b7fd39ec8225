import { randomBytes } from 'crypto';
import { SignJWT } from 'jose';
import { basic, postForm } from '../support/http';
import { API_SCOPE, EXTERNAL_ISSUER } from './gateways';

export interface Client {
  id: string;
  secret: string;
}

/**
 * A token request to a gateway's /oauth2/token with the client in HTTP Basic,
 * which both this plugin and EG's built-in policy accept, and any `headers` besides (a DPoP proof).
 * @throws Error with the answer when the gateway did not issue tokens.
 */
export async function requestTokens(
  gatewayUrl: string,
  client: Client,
  form: Record<string, string>,
  headers: Record<string, string> = {}
): Promise<{ access_token: string; token_type: string; refresh_token?: string }> {
  const res = await postForm(`${gatewayUrl}/oauth2/token`, form, {
    ...headers,
    Authorization: basic(client.id, client.secret)
  });
  if (res.status !== 200 || !res.json?.access_token)
    throw new Error(`token request ${form.grant_type} failed: ${res.status} ${res.text}`);
  return res.json;
}

/**
 * The resource owner's tokens by the password grant: a user-bound access token, as most API calls carry; bound to a
 * key with a DPoP proof in `headers` (RFC 9449 §5).
 */
export function passwordTokens(
  gatewayUrl: string,
  client: Client,
  user: { username: string; password: string },
  headers: Record<string, string> = {}
) {
  return requestTokens(
    gatewayUrl,
    client,
    { grant_type: 'password', username: user.username, password: user.password, scope: API_SCOPE },
    headers
  );
}

/** Revokes a token at the gateway's /oauth2/revoke (RFC 7009) as the client it was issued to. */
export async function revokeToken(gatewayUrl: string, client: Client, token: string): Promise<void> {
  const res = await postForm(
    `${gatewayUrl}/oauth2/revoke`,
    { token },
    { Authorization: basic(client.id, client.secret) }
  );
  if (res.status !== 200) throw new Error(`revocation failed: ${res.status} ${res.text}`);
}

/** An access token of the outside issuer of (d), valid for an hour (RFC 9068 shape). */
export function externalJwt(subject: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: API_SCOPE, client_id: 'bench-client', jti: randomBytes(16).toString('base64url') })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(EXTERNAL_ISSUER.issuer)
    .setAudience(EXTERNAL_ISSUER.audience)
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(Buffer.from(EXTERNAL_ISSUER.key));
}
