import type { NextFunction, Request, Response } from 'express';
import type { MiddlewareFunction } from 'oauth2orize';
import type { Client } from '../clients/client';
import type { IssuedTokens } from '../tokens/token.issuer';
import type { TokenRequestInfo } from './password.exchange';
import { NO_RESOURCE } from '../resources/resource-indicators';

/** The async heart of an extension grant: the authenticated client and the form body in, tokens out. */
export type ExtensionGrant = (
  client: Client,
  body: Record<string, unknown>,
  info: TokenRequestInfo
) => Promise<IssuedTokens>;

/**
 * An oauth2orize exchange for an extension grant type (RFC 6749 §4.5),
 * which oauth2orize has no factory for: it answers the token response of
 * RFC 6749 §5.1 exactly as oauth2orize's own exchanges do (the token route
 * has already set Cache-Control: no-store), and hands failures to the
 * route's error handler.
 */
export function extensionExchange(grant: ExtensionGrant): MiddlewareFunction {
  function exchange(req: Request, res: Response, next: NextFunction): void {
    const info: TokenRequestInfo = {
      clientIp: req.authInfo?.clientIp ?? req.ip ?? 'unknown',
      resources: req.authInfo?.resources ?? NO_RESOURCE,
      dpopJkt: req.authInfo?.dpopJkt,
      certificate: req.authInfo?.certificate,
      x5t: req.authInfo?.x5t
    };
    grant(req.user as Client, req.body as Record<string, unknown>, info).then((issued) => {
      res.json({
        access_token: issued.accessToken,
        ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
        token_type: 'Bearer',
        ...issued.params
      });
    }, next);
  }
  // @types/oauth2orize types exchange middleware with its own request type; it is called with Express's.
  return exchange as unknown as MiddlewareFunction;
}
