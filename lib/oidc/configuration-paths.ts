/**
 * Where relying parties look (Discovery §4): the issuer followed by
 * /.well-known/openid-configuration, and, for an issuer with a path, also the
 * RFC 8414 §5 form (the well-known segment first, as for the OAuth metadata).
 */
export function openIdConfigurationPaths(issuer: string): string[] {
  const issuerPath = new URL(issuer).pathname.replace(/\/+$/, '');
  const base = '/.well-known/openid-configuration';
  return issuerPath ? [`${issuerPath}${base}`, `${base}${issuerPath}`] : [base];
}
