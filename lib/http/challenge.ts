/**
 * WWW-Authenticate challenges, built so that no setting or request input can
 * make Node refuse the header (ERR_INVALID_CHAR, thrown where nothing catches
 * it) or change its syntax. An auth-param value is a quoted-string (RFC 9110
 * §11.2, §5.6.4) kept to the characters RFC 6750 §3 allows in its error
 * attributes, %x20-21 / %x23-5B / %x5D-7E: anything else is dropped.
 */
export function quotedParam(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
}

/** The Basic challenge of a refused client_secret_basic attempt (RFC 6749 §2.3.1, RFC 7617 §2.1). */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quotedParam(realm)}, charset="UTF-8"`;
}
