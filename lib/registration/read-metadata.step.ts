import type { NextFunction, Request, Response } from 'express';
import type { EgServices } from '../eg/types';
import type { Settings } from '../settings';
import { parseClientMetadata } from './client-metadata';

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
          clientUrls: settings.clientUrls
        })
      )
      .then((metadata) => {
        res.locals.metadata = metadata;
        next();
      }, next);
  };
}
