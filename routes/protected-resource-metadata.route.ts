import type { NextFunction, Request, Response, Router } from 'express';
import type { EgLogger } from '../lib/eg/types';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import type { ProtectedResource, ProtectedResources } from '../lib/resources/protected-resources';
import type { ServerDirectory } from '../lib/servers/server-directory';

interface Deps {
  resources: ProtectedResources;
  servers: ServerDirectory;
  /** This server's issuer identifier: the authorization server of pipelines that check this plugin's tokens. */
  issuer: string;
  /** The DPoP proofs the pipelines take, and whether they take DPoP-bound tokens only (FAPI 2.0 without mTLS). */
  dpop: { algorithms: readonly string[]; boundOnly: boolean };
  /** Whether a client certificate can reach the pipelines, which then take certificate-bound tokens (RFC 8705 §3). */
  certificateBound: boolean;
  logger: EgLogger;
}

const PREFIX = '/.well-known/oauth-protected-resource';

/**
 * GET /.well-known/oauth-protected-resource<path> (RFC 9728 §3): the metadata of each pipeline with `oauth2`, at the
 * root of the gateway. A path no pipeline names goes on to EG, whose API endpoints may serve their own.
 */
export function mountProtectedResourceRoutes(
  router: Router,
  { resources, servers, issuer, dpop, certificateBound, logger }: Deps
): void {
  /** RFC 9728 §2 authorization_servers: the issuer identifiers (RFC 8414) whose tokens the pipeline takes. */
  async function authorizationServers(entry: ProtectedResource): Promise<string[]> {
    const { authority } = entry;
    if (authority.kind === 'local') return [issuer];
    if (authority.kind === 'issuer') return authority.issuer === undefined ? [] : [authority.issuer];
    // A registry entry is read per request: an admin change shows at once (an entry gone names no server).
    const server = await servers.get(authority.name);
    const named = server?.tokenStrategy.jwt?.issuer ?? server?.tokenStrategy.introspection?.issuer;
    return named === undefined ? [] : [named];
  }

  function metadata(req: Request, res: Response, next: NextFunction): void {
    const url = new URL(req.originalUrl, 'http://gateway');
    const entry = resources.atMetadataPath(url.pathname.slice(PREFIX.length), url.search, req.hostname);
    if (!entry) return next();
    // Public metadata: a browser-based client (an MCP client in a web page) may read it from any origin.
    res.set('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.set({
        'Access-Control-Allow-Methods': 'GET',
        'Access-Control-Allow-Headers': '*',
        'Access-Control-Max-Age': '600'
      });
      return void res.status(204).end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET')(req, res);
    authorizationServers(entry).then(
      (servers) => {
        res.set('Cache-Control', 'public, max-age=60').json({
          resource: entry.resource,
          ...(servers.length ? { authorization_servers: servers } : {}),
          ...(entry.scopes.length ? { scopes_supported: entry.scopes } : {}),
          bearer_methods_supported: entry.bearerMethods,
          // RFC 9728 §2: every pipeline takes DPoP proofs of these algorithms; under FAPI 2.0 bound tokens only.
          dpop_signing_alg_values_supported: dpop.algorithms,
          ...(dpop.boundOnly ? { dpop_bound_access_tokens_required: true } : {}),
          ...(certificateBound ? { tls_client_certificate_bound_access_tokens: true } : {})
        });
      },
      (err) => sendOAuthError(res, err, logger)
    );
  }

  router.all([PREFIX, `${PREFIX}/*`], metadata);
}
