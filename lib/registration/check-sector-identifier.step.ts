import type { NextFunction, Request, Response } from 'express';
import { fetchClientUrl } from '../client-urls/client-url-fetch';
import { InvalidClientMetadata } from '../errors';
import type { Settings } from '../settings';
import type { ClientMetadata } from './client-metadata';

/** Far more than any list of redirect URIs a sector holds. */
const MAX_SECTOR_DOCUMENT_BYTES = 64 * 1024;

/** Why the sector identifier document does not vouch for the redirect URIs; null when it does. */
function documentProblem(status: number, text: string, redirectUris: string[]): string | null {
  if (status !== 200) return `answered ${status}, not 200`;
  let listed: unknown;
  try {
    listed = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (!Array.isArray(listed) || !listed.every((uri) => typeof uri === 'string')) return 'is not a JSON array of URIs';
  const missing = redirectUris.find((uri) => !listed.includes(uri));
  return missing === undefined ? null : `does not list the redirect URI ${JSON.stringify(missing)}`;
}

/**
 * The step after checkClientUrlHosts, for a pairwise client with a sector_identifier_uri: the gateway GETs it (under
 * clientUrls, like a jwks_uri) and every redirect URI the client registers must be in the JSON array it serves
 * (OpenID Connect Registration 1.0 §5, Core §8.1), or the client could claim another's sector and match its users.
 * Checked at each registration and update: the sector is whatever the document vouched for then.
 */
export function checkSectorIdentifier(settings: Settings) {
  return function checkSectorIdentifier(_req: Request, res: Response, next: NextFunction): void {
    const metadata = res.locals.metadata as ClientMetadata;
    const uri = metadata.openId?.sectorIdentifierUri;
    if (uri === undefined) return next();
    fetchClientUrl(uri, settings.clientUrls, MAX_SECTOR_DOCUMENT_BYTES).then(
      ({ status, text }) => {
        // What the document held is for the log alone, as why it could not be read: the registrant is told what to fix.
        const problem = documentProblem(status, text, metadata.redirectUris);
        const told = 'sector_identifier_uri must answer 200 with a JSON array listing every redirect URI';
        next(problem ? new InvalidClientMetadata(told, `sector_identifier_uri ${problem}`) : undefined);
      },
      // Why, in the log only: the registrant would otherwise learn what a host it names answers (a port scanner).
      (err: Error) => next(new InvalidClientMetadata('sector_identifier_uri could not be read', err.message))
    );
  };
}
