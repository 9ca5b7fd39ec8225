import type { NextFunction, Request, Response } from 'express';
import { InvalidClient } from '../errors';
import { basicChallenge } from '../http/challenge';
import type { Client } from './client';

/**
 * An app whose `tokenEndpointAuthMethod` property names one method (RFC 7591
 * §2 token_endpoint_auth_method, set on every dynamically registered
 * client) may authenticate with that method only: a client registered for
 * private_key_jwt must not fall back to a secret someone else may hold. Apps
 * without the property may use any method their credentials allow.
 * @param realm the Basic challenge's realm, for a refused Basic attempt (RFC 6749 §5.2)
 */
export function requireRegisteredAuthMethod(realm: string) {
  return function requireRegisteredAuthMethod(req: Request, _res: Response, next: NextFunction): void {
    const client = req.user as Client;
    const registered = client.app.tokenEndpointAuthMethod;
    if (typeof registered !== 'string' || !registered || registered === client.authMethod) return next();
    const refused = new InvalidClient(
      `This client is registered to authenticate with ${registered}, not ${client.authMethod}`
    );
    if (client.authMethod === 'client_secret_basic') refused.headers['WWW-Authenticate'] = basicChallenge(realm);
    next(refused);
  };
}
