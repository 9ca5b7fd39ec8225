import type { NextFunction, Request, Response } from 'express';
import type { EgLogger, EgPolicy } from '../../lib/eg/types';
import { InsufficientScope, InvalidToken, TokenNotVerifiable } from '../../lib/errors';
import type { RevocationFeed } from '../../lib/store/revocation-feed';
import type { LocalTokenValidator } from '../../lib/tokens/local-token.validator';
import type { ValidatedToken } from '../../lib/tokens/validated-token';
import { PolicyParams, policySchema } from '../../schemas/policy.schema';
import { MissingToken, sendBearerChallenge } from '../../lib/http/bearer-challenge';
import { extractToken, headerOnlyToken } from '../../lib/http/extract-token';
import { forwardIdentity, stripSpoofedIdentity } from './identity';
import { introspectionTokenStrategy } from '../../lib/strategies/introspection-token.strategy';
import { jwtTokenStrategy } from '../../lib/strategies/jwt-token.strategy';
import { serverTokenStrategy } from '../../lib/strategies/server-token.strategy';
import { strategySection, TokenStrategy } from '../../lib/strategies/token-strategy';
import { refuseUnknownParameters } from '../../lib/eg/pipeline-params';
import type { ServerDirectory } from '../../lib/servers/server-directory';
import type { ProtectedResources, RequestResource } from '../../lib/resources/protected-resources';
import { requireResourceIdentifier } from '../../lib/resources/resource-identifier';
import { requireOwnTokens, UpstreamTokens } from '../../lib/token-exchange/upstream-tokens';
import { type ProofOfPossession, usesDpopScheme } from '../../lib/dpop/proof-of-possession';

interface Deps {
  validator: LocalTokenValidator;
  feed: RevocationFeed;
  servers: ServerDirectory;
  strictServers: boolean;
  resources: ProtectedResources;
  /** The tokens `exchange` sends upstream instead of the caller's. */
  upstreamTokens: UpstreamTokens;
  /** DPoP-bound tokens only with a proof of their key (RFC 9449 §7). */
  possession: ProofOfPossession;
  logger: EgLogger;
}

/** One instance for every request without a token: it is never logged, so its stack is of no use. */
const NO_TOKEN = new MissingToken();

const endpointScopes = (req: Request): string[] => req.egContext?.apiEndpoint?.scopes ?? [];

/** RFC 6750 §3.1: every scope of the API endpoint is required. */
function holdsEndpointScopes(req: Request, token: ValidatedToken): boolean {
  return endpointScopes(req).every((scope) => token.scopes.includes(scope));
}

/**
 * RFC 8707 §2, RFC 9068 §4: a pipeline naming its resource takes only tokens whose audience names it. Any other takes
 * those and the tokens meant for no resource in particular: not asked for other resources, nor, from another issuer,
 * naming another pipeline's identifier as their audience.
 */
function meantFor(target: RequestResource | null, token: ValidatedToken, resources: ProtectedResources): boolean {
  if (target && token.audience.includes(target.resource)) return true;
  if (target?.strict) return false;
  return token.resources.length === 0 && !token.audience.some((audience) => resources.has(audience));
}

function requireEndpointAccess(
  req: Request,
  target: RequestResource | null,
  token: ValidatedToken,
  resources: ProtectedResources
): void {
  if (!meantFor(target, token, resources)) throw new InvalidToken('The access token is not meant for this resource');
  if (!holdsEndpointScopes(req, token)) {
    throw new InsufficientScope('The access token lacks a scope this endpoint requires', endpointScopes(req).join(' '));
  }
}

/**
 * The resource-server side: the `oauth2` policy of a pipeline. This runs on
 * every API call, so it does at most one Redis read and nothing slow; a token
 * the instance validated recently costs no read and no promise at all.
 */
export function oauth2Policy({
  validator,
  feed,
  servers,
  strictServers,
  resources,
  upstreamTokens,
  possession,
  logger
}: Deps): EgPolicy {
  function strategyFor(params: PolicyParams): TokenStrategy {
    if (params.server) return serverTokenStrategy(params.server, servers, feed, logger, strictServers);
    if (params.tokenStrategy === 'jwt') return jwtTokenStrategy(strategySection(params, 'jwt'), feed, logger);
    if (params.tokenStrategy === 'introspection')
      return introspectionTokenStrategy(strategySection(params, 'introspection'), feed, logger);
    return Object.assign((token: string) => validator.validate(token), {
      recall: (token: string) => validator.recall(token)
    });
  }

  function createPolicy(params: PolicyParams) {
    // Checked at start for every pipeline (lib/eg/pipeline-params.ts); again here for EG's hot reload, where a throw
    // makes EG keep the pipelines it has instead of ignoring the key.
    refuseUnknownParameters(params as unknown as Record<string, unknown>);
    requireResourceIdentifier(params.resource);
    requireOwnTokens(params);
    const validate = strategyFor(params);
    const exchangeFor = params.exchange?.audience;
    // With exchange the caller's token never goes upstream, from wherever it came (header, query or body).
    const tokenPlaces = exchangeFor === undefined ? params : { ...params, hideCredentials: true };

    /** @param dpopScheme whether the token came with the DPoP scheme, read before extractToken takes the header. */
    async function authenticate(req: Request, target: RequestResource | null, dpopScheme: boolean): Promise<void> {
      const token = await extractToken(req, tokenPlaces);
      if (!token) throw new MissingToken();
      const validated = await validate(token);
      await possession.check(req, token, validated, dpopScheme);
      // The proof goes where the token goes: nowhere, with hideCredentials.
      if (tokenPlaces.hideCredentials) delete req.headers.dpop;
      requireEndpointAccess(req, target, validated, resources);
      if (exchangeFor !== undefined) sendUpstream(req, await upstreamTokens.exchange(token, validated, exchangeFor));
      forwardIdentity(req, validated, params.identityHeaders);
    }

    /** The upstream gets the token meant for it, never the caller's (wherever that came: extractToken removed it). */
    function sendUpstream(req: Request, upstreamToken: string): void {
      req.headers.authorization = `Bearer ${upstreamToken}`;
    }

    /**
     * The hot path: a token this instance validated recently, in the header, with the scopes needed; no I/O, no
     * promise.
     */
    function passRecalled(req: Request, target: RequestResource | null): boolean {
      const token = validate.recall && headerOnlyToken(req, params);
      const known = token ? validate.recall!(token) : null;
      // A DPoP-bound token needs its proof checked, a certificate-bound one its certificate: the path with promises
      // does that (and refuses a DPoP-bound one as Bearer); so does a token bound to nothing where only bound ones are
      // taken (FAPI 2.0), whoever validated it first.
      if (!token || !known || known.jkt || known.x5t || possession.boundOnly) return false;
      if (!meantFor(target, known, resources) || !holdsEndpointScopes(req, known)) return false;
      const upstreamToken = exchangeFor === undefined ? null : upstreamTokens.recall(token, exchangeFor);
      if (exchangeFor !== undefined && !upstreamToken) return false;
      if (tokenPlaces.hideCredentials) {
        delete req.headers.authorization;
        delete req.headers.dpop;
      }
      if (upstreamToken) sendUpstream(req, upstreamToken);
      forwardIdentity(req, known, params.identityHeaders);
      return true;
    }

    function refuse(
      req: Request,
      res: Response,
      next: NextFunction,
      failure: unknown,
      target: RequestResource | null,
      dpopScheme = false
    ): void {
      // passThrough forgives a missing or refused token, never an outage, an unverifiable token or a broken request.
      const refused =
        (failure instanceof InvalidToken && !(failure instanceof TokenNotVerifiable)) ||
        failure instanceof InsufficientScope;
      const forgivable = failure instanceof MissingToken || refused;
      if (params.passThrough && forgivable) {
        req.headers['eg-consumer-id'] = 'anonymous';
        return next();
      }
      const dpop = possession.challenge(dpopScheme);
      sendBearerChallenge(res, failure, { realm: params.realm, resourceMetadata: target?.metadataUrl, dpop }, logger);
    }

    /** Nowhere a token could be: answered at once, without a promise (scanners, clients that forgot the header). */
    const carriesNoToken = (req: Request) =>
      req.headers.authorization === undefined && !params.allowQueryToken && !params.allowBodyToken;

    return function oauth2Bearer(req: Request, res: Response, next: NextFunction): void {
      stripSpoofedIdentity(req);
      const target = resources.forRequest(req, params);
      if (passRecalled(req, target)) return next();
      if (carriesNoToken(req)) return refuse(req, res, next, NO_TOKEN, target);
      const dpopScheme = usesDpopScheme(req);
      authenticate(req, target, dpopScheme).then(
        () => next(),
        (failure: unknown) => refuse(req, res, next, failure, target, dpopScheme)
      );
    };
  }

  return { name: 'oauth2', schema: policySchema, policy: createPolicy };
}
