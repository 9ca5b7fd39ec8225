import type { NextFunction, Request, Response } from 'express';
import { literalAddress } from '../client-urls/client-url-rule';
import { hostProblem } from '../client-urls/public-lookup';
import { InvalidClientMetadata } from '../errors';
import type { Settings } from '../settings';
import type { ClientMetadata } from './client-metadata';

/**
 * The step after readClientMetadata: a URL the gateway will fetch for the
 * client (jwks_uri; an OpenID Connect backchannel_logout_uri, sector_identifier_uri) whose host
 * name resolves to no public address is refused now (RFC 7591 §3.2.2), so
 * the client learns it at once. DNS may answer otherwise later: each fetch
 * checks again (lib/client-urls/public-lookup.ts), and that is the check
 * that protects.
 */
export function checkClientUrlHosts(settings: Settings) {
  const rules = settings.clientUrls;
  return function checkClientUrlHosts(_req: Request, res: Response, next: NextFunction): void {
    const metadata = res.locals.metadata as ClientMetadata;
    if (rules.allowPrivateNetworks) return next();
    const fetched: Array<[string, string | undefined]> = [
      ['jwks_uri', metadata.jwksUri],
      ['backchannel_logout_uri', metadata.openId?.backchannelLogoutUri],
      ['sector_identifier_uri', metadata.openId?.sectorIdentifierUri]
    ];
    const checks = fetched.flatMap(([field, uri]) => {
      const url = uri === undefined ? undefined : new URL(uri);
      if (!url || literalAddress(url)) return []; // a literal address was judged by readClientMetadata
      return [
        hostProblem(url.hostname, rules.timeout).then((problem) =>
          problem
            ? new InvalidClientMetadata(`${field} ${problem}`, `${field} host ${JSON.stringify(url.hostname)}`)
            : null
        )
      ];
    });
    Promise.all(checks).then((problems) => next(problems.find((problem) => problem !== null) ?? undefined), next);
  };
}
