import type { EgLogger } from '../eg/types';
import { TokenNotVerifiable } from '../errors';
import type { ServerDirectory } from '../servers/server-directory';
import type { ServerEntry } from '../servers/server-entry';
import type { RevocationFeed } from '../store/revocation-feed';
import type { ValidatedToken } from '../tokens/validated-token';
import { introspectionTokenStrategy } from './introspection-token.strategy';
import { jwtTokenStrategy } from './jwt-token.strategy';
import type { TokenStrategy } from './token-strategy';

/**
 * The entry was judged when it was registered: plain http off loopback and
 * short HMAC secrets passed then only with a warning, through Janus's shape.
 * With servers.strict they are refused here too, whenever they were stored.
 */
function strategyOf(entry: ServerEntry, feed: RevocationFeed, logger: EgLogger, strict: boolean): TokenStrategy {
  const { name, jwt, introspection } = entry.tokenStrategy;
  const options = { registered: !strict };
  return name === 'jwt'
    ? jwtTokenStrategy(jwt!, feed, logger, options)
    : introspectionTokenStrategy(introspection!, feed, logger, options);
}

/**
 * Policy parameter `server: <name>`: tokens of an external authorization
 * server registered over the admin API, checked with that entry's
 * tokenStrategy. The entry is looked up on every call (from memory, see
 * ServerDirectory), so an admin change applies to the next request; the
 * strategy is only rebuilt when the entry's tokenStrategy changed, so a
 * JWKS or introspection cache outlives unrelated edits.
 */
export function serverTokenStrategy(
  serverName: string,
  servers: ServerDirectory,
  feed: RevocationFeed,
  logger: EgLogger,
  strict = false
): TokenStrategy {
  let built: { spec: string; validate: TokenStrategy } | undefined;
  let missingReported = false;

  return async function validateForServer(token: string): Promise<ValidatedToken> {
    const entry = await servers.get(serverName);
    if (!entry) {
      if (!missingReported)
        logger.warn(`oauth2 policy: no authorization server is registered as "${serverName}": its tokens are refused`);
      missingReported = true;
      throw new TokenNotVerifiable('The access token could not be validated', `no server named ${serverName}`);
    }
    missingReported = false;
    const spec = JSON.stringify(entry.tokenStrategy);
    if (built?.spec !== spec) {
      try {
        built = { spec, validate: strategyOf(entry, feed, logger, strict) };
      } catch (err) {
        // An entry stored by an older version, unusable now: its tokens cannot be checked, which is not a 500.
        const why = (err as Error).message;
        logger.error(`oauth2 policy: the tokenStrategy of server ${serverName} is unusable: ${why}`);
        built = {
          spec,
          validate: () => Promise.reject(new TokenNotVerifiable('The access token could not be validated', why))
        };
      }
    }
    return built.validate(token);
  };
}
