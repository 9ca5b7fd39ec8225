import fs from 'fs';

/** EG's own settings for its built-in oauth2 policy, which this plugin leaves unused, and what replaces each. */
export const EG_LEFTOVERS: Readonly<Record<string, string>> = {
  session: 'plugins.oauth2.session',
  accessTokens: 'plugins.oauth2.accessToken.ttl',
  refreshTokens: 'plugins.oauth2.refreshToken.ttl',
  authorizationCodes: 'plugins.oauth2.authorizationCode.ttl'
};

/**
 * The top-level keys a system.config file itself writes: EG's loader adds
 * its defaults for the leftovers, so the loaded config cannot tell. A YAML
 * top-level key starts its line; JSON is parsed.
 */
export function writtenKeys(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  // JSON is YAML too: a .yml file may hold it. EG substitutes ${VARIABLES} first, and its YAML reader takes more than
  // JSON does (comments, flow style): a file read wrongly here only goes without the warning, never stops the gateway.
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return Object.keys(parsed);
  } catch {
    // not plain JSON: read its top-level YAML keys below
  }
  return [...text.matchAll(/^"?([A-Za-z_][\w-]*)"?\s*:/gm)].flatMap((match) => match[1] ?? []);
}

/** One line per leftover EG oauth2 setting a system.config file writes. */
export function leftoverLines(file: string): string[] {
  const keys = writtenKeys(file);
  return Object.entries(EG_LEFTOVERS)
    .filter(([key]) => keys.includes(key))
    .map(
      ([key, instead]) =>
        `system.config: ${key} configures EG's built-in oauth2 policy, which this plugin replaces; it is unused (${instead} applies): remove it`
    );
}
