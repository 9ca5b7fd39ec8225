import { InvalidScope } from './errors';

/** RFC 6749 §3.3: scope-token = 1*NQCHAR, tokens separated by single spaces. */
const SCOPE_PARAM = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

export function isValidScopeParam(value: string): boolean {
  return SCOPE_PARAM.test(value);
}

/** A scope named in an error description: cut, since a request may carry one as long as its body allows. */
export function shownScope(scope: string): string {
  return scope.length > 100 ? `${scope.slice(0, 100)}...` : scope;
}

/** EG stores credential scopes as an array, a single string, or nothing. */
export function asScopeList(scopes: unknown): string[] {
  if (Array.isArray(scopes)) return scopes.filter((s): s is string => typeof s === 'string');
  return typeof scopes === 'string' && scopes ? [scopes] : [];
}

/**
 * The scopes a token gets: what was asked for, all of which must be allowed,
 * or everything allowed when nothing was asked for (RFC 6749 §3.3 lets the
 * server pick a default).
 */
export function grantScopes(requested: string[] | undefined, allowed: string[]): string[] {
  if (!requested || requested.length === 0) return [...new Set(allowed)];
  const unique = [...new Set(requested)];
  const refused = unique.find((scope) => !allowed.includes(scope));
  if (refused !== undefined) {
    throw new InvalidScope(`The scope "${shownScope(refused)}" is not granted to this client`);
  }
  return unique;
}

export function joinScopes(scopes: string[]): string {
  return scopes.join(' ');
}

export function splitScopes(scope: string): string[] {
  return scope ? scope.split(' ') : [];
}
