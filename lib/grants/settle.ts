import type { IssuedTokens } from '../tokens/token.issuer';

/** oauth2orize's issue callback: (err, accessToken, refreshToken, params). */
export type IssuedCallback = (err: Error | null, accessToken?: string, refreshToken?: string, params?: object) => void;

/**
 * The one boundary between our async grant code and oauth2orize's callbacks:
 * `done` runs exactly once, and a rejection reaches it instead of escaping.
 */
export function settle(work: () => Promise<IssuedTokens>, done: IssuedCallback): void {
  work()
    .then(
      (issued) => done(null, issued.accessToken, issued.refreshToken, issued.params),
      (err: Error) => done(err)
    )
    .catch((err: unknown) => {
      // done itself threw: nothing is left to answer with, but the process must not die of it.
      process.emitWarning(`oauth2: response callback failed: ${err instanceof Error ? err.message : String(err)}`);
    });
}
