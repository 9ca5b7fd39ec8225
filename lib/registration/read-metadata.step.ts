import type { NextFunction, Request, Response } from 'express';
import type { EgServices } from '../eg/types';
import type { Settings } from '../settings';
import { parseClientMetadata } from './client-metadata';
import { isFapi2 } from '../fapi/fapi2-profile';

/**
 * The step that checks a registration or update body against what this
 * server allows (its grants, dynamicRegistration.allowedScopes, the scopes
 * that exist in EG) and leaves the result in `res.locals.metadata`.
 */
export function readClientMetadata(settings: Settings, services: EgServices) {
  return function readClientMetadata(req: Request, res: Response, next: NextFunction): void {
    services.credential
      .getAllScopes()
      .then((knownScopes) =>
        parseClientMetadata(req.body, {
          grants: settings.grants,
          allowedScopes: settings.dynamicRegistration.allowedScopes,
          knownScopes: knownScopes ?? [],
          openId: settings.oidc.enabled,
          pairwiseSecret: settings.oidc.pairwiseSecret,
          // FAPI 2.0 Security Profile §5.3.2.1: confidential clients authenticated with private_key_jwt.
          ...(isFapi2(settings) ? { authMethods: ['private_key_jwt'] as const } : {}),
          clientUrls: settings.clientUrls
        })
      )
      .then((metadata) => {
        res.locals.metadata = metadata;
        next();
      }, next);
  };
}
