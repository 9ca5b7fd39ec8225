import dns from 'dns';
import type { LookupFunction } from 'net';
import { isPublicAddress } from './public-address';

/** A host name that resolves to no public address: the fetch is refused before any connection. */
export class NonPublicHost extends Error {
  readonly code = 'ENONPUBLIC';
  constructor(hostname: string) {
    super(`${hostname} resolves to no public address`);
  }
}

/**
 * A `lookup` for http(s).request that hands the socket only the public
 * addresses of a host. The address checked is the address connected to:
 * no second resolution between check and connection for DNS rebinding to
 * slip into. (A literal IP address skips `lookup`: clientUrlProblem judges it.)
 */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const allowed = addresses.filter((entry) => isPublicAddress(entry.address));
    const [first] = allowed;
    if (!first) return callback(new NonPublicHost(hostname), '');
    if (options.all) return callback(null, allowed);
    callback(null, first.address, first.family);
  });
};

/**
 * Why a host name cannot be fetched from, as a phrase, or undefined when it
 * resolves to a public address or DNS gives no answer in `timeoutMs` (then
 * the check at fetch time decides). For registration: a client learns at
 * once that its jwks_uri will never be fetched.
 */
export async function hostProblem(hostname: string, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const answer = dns.promises.lookup(hostname, { all: true }).then(
    (addresses) =>
      addresses.some((entry) => isPublicAddress(entry.address)) ? undefined : 'resolves to no public address',
    (err: NodeJS.ErrnoException) =>
      err.code === 'ENOTFOUND' || err.code === 'ENODATA' ? 'has a host name that does not resolve' : undefined
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
