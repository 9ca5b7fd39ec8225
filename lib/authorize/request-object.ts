import { decodeProtectedHeader } from 'jose';
import type { JwtAssertionTrust } from '../assertions/jwt-assertion-trust';
import type { Client } from '../clients/client';
import type { EgLogger } from '../eg/types';
import { InvalidRequestObject } from '../errors';
import { JwtKeysUnavailable, JwtRejected } from '../keys/jwt-verifier';
import type { PushedParams } from '../store/pushed-request.store';

/** The claims of the JWT itself (RFC 7519 §4.1), not parameters of the request it carries. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);

/** The longest a request object may be valid (FAPI 2.0 Message Signing §5.3.1: exp at most 60 minutes after nbf). */
const MAX_LIFETIME_S = 3600;

/** A request object's parameters at most: as many as a form body may carry. */
const MAX_PARAMS = 64;

/** One claim as the authorization endpoint reads a parameter: text, `resource` repeated, `claims` as its JSON. */
function asParameter(name: string, value: unknown): string | string[] {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (name === 'resource' && Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  if (name === 'claims' && typeof value === 'object' && value !== null && !Array.isArray(value))
    return JSON.stringify(value);
  throw new InvalidRequestObject(`The request object's ${name.slice(0, 50)} is not a value that parameter takes`);
}

/**
 * Request objects (RFC 9101): an authorization request as a JWT the client signed with a key it registered (`jwks` or
 * `jwksUri`, as for private_key_jwt). Taken only signed (never `alg: none`), with `iss` and `client_id` the client's,
 * this server as `aud`, an `exp` at most an hour after its `nbf` (or `iat`), a `client_id` claim (which a client
 * assertion has not), and, when typed, `typ` oauth-authz-req+jwt or JWT (§10.8: never another kind of JWT the client
 * signed, such as a DPoP proof). Its claims are the request: parameters outside it are not read (§5).
 */
export class RequestObjects {
  constructor(
    private readonly trust: JwtAssertionTrust,
    private readonly logger: EgLogger,
    /**
     * FAPI 2.0 Message Signing §5.3.1: this issuer identifier must be the `aud`, or one of them, and an `nbf` is
     * required, so that the object's whole span is bounded.
     */
    private readonly fapi2Issuer?: string | undefined
  ) {}

  /** @throws InvalidRequestObject naming the failed check. */
  async read(jwt: unknown, client: Client): Promise<PushedParams> {
    if (typeof jwt !== 'string') throw new InvalidRequestObject('The request parameter must be one signed JWT');
    let typ: unknown;
    try {
      typ = decodeProtectedHeader(jwt).typ;
    } catch {
      throw new InvalidRequestObject('The request object is not a signed JWT');
    }
    if (typ !== undefined && !['oauth-authz-req+jwt', 'jwt'].includes(String(typ).toLowerCase()))
      throw new InvalidRequestObject('The request object is typed as another kind of JWT (typ)');
    let claims: Record<string, unknown>;
    try {
      const verifier = this.trust.forClient(client);
      if (!verifier) throw new JwtRejected('The client has registered no keys to sign request objects with');
      claims = await verifier.verify(jwt);
    } catch (err) {
      if (err instanceof JwtKeysUnavailable) {
        this.logger.warn(`oauth2: keys of client ${client.id} for its request object: ${err.message}`);
        throw new InvalidRequestObject("The client's registered keys could not be fetched");
      }
      if (err instanceof JwtRejected)
        throw new InvalidRequestObject(err.reason.replace(/assertion|token/g, 'request object'), err.detail);
      throw err;
    }
    if (claims.client_id !== client.id)
      throw new InvalidRequestObject("The request object's client_id must be the client's (RFC 9101 section 5)");
    if (this.fapi2Issuer !== undefined) {
      if (typeof claims.nbf !== 'number')
        throw new InvalidRequestObject('The request object has no nbf claim (FAPI 2.0)');
      if (![claims.aud].flat().includes(this.fapi2Issuer))
        throw new InvalidRequestObject("The request object's aud must name the issuer identifier (FAPI 2.0)");
    }
    const start = [claims.nbf, claims.iat].find((value): value is number => typeof value === 'number');
    if ((claims.exp as number) - (start ?? Date.now() / 1000) > MAX_LIFETIME_S)
      throw new InvalidRequestObject('The request object is valid for more than 60 minutes (exp)');
    const entries = Object.entries(claims).filter(([name]) => !JWT_CLAIMS.has(name) && name !== 'client_id');
    if (entries.length > MAX_PARAMS) throw new InvalidRequestObject('The request object has too many parameters');
    const params: PushedParams = {};
    for (const [name, value] of entries) {
      if (name === 'request' || name === 'request_uri')
        throw new InvalidRequestObject(`A request object must not carry ${name}`);
      params[name] = asParameter(name, value);
    }
    return params;
  }
}
