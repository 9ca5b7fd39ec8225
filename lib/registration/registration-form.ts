import { isDocumentClientId } from '../client-documents/document-client-id';
import type { ClientRegistration } from '../clients/client-registrar';
import { redirectUriProblem } from './redirect-uri-rule';

export const MAX_NAME_LENGTH = 100;
export const MAX_REDIRECT_URIS = 10;

/** What the user typed, kept to fill the form again after an error. */
export interface RegistrationFormValues {
  name: string;
  redirectUris: string;
  type: 'confidential' | 'public' | '';
  scopes: string[];
}

export interface ReadRegistration {
  values: RegistrationFormValues;
  /** Present when the form is valid. */
  registration?: ClientRegistration;
  /** What is wrong, one sentence each, for the user. */
  problems: string[];
}

/**
 * Grants of a self-service app. A public client cannot keep a secret, so
 * client_credentials would authenticate nobody (RFC 6749 §4.4); its code
 * flow must use PKCE, which the authorization endpoint enforces.
 */
export function grantTypesFor(isPublic: boolean): string[] {
  return isPublic
    ? ['authorization_code', 'refresh_token']
    : ['authorization_code', 'refresh_token', 'client_credentials'];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : value ? [text(value)] : [];

function nameProblem(name: string): string | undefined {
  if (!name) return 'Give the application a name.';
  if ([...name].length > MAX_NAME_LENGTH) return `The name is longer than ${MAX_NAME_LENGTH} characters.`;
  if (/\p{Cc}/u.test(name)) return 'The name holds control characters.';
  if (isDocumentClientId(name)) return 'The name may not be an https URL: those name clients by their documents.';
  return undefined;
}

function redirectUriProblems(uris: string[]): string[] {
  if (uris.length === 0) return ['Give at least one redirect URI.'];
  if (uris.length > MAX_REDIRECT_URIS) return [`Give at most ${MAX_REDIRECT_URIS} redirect URIs.`];
  return uris.flatMap((uri) => {
    const problem = redirectUriProblem(uri);
    return problem ? [`The redirect URI "${uri.slice(0, 200)}" ${problem}.`] : [];
  });
}

/** Reads and checks the registration form; `offered` are the scopes the user may pick. */
export function readRegistrationForm(body: Record<string, unknown>, offered: string[]): ReadRegistration {
  const type = text(body.type);
  const values: RegistrationFormValues = {
    name: text(body.name).trim(),
    redirectUris: text(body.redirect_uris).slice(0, 25000),
    type: type === 'confidential' || type === 'public' ? type : '',
    scopes: [...new Set(list(body.scope))]
  };
  const uris = [
    ...new Set(
      values.redirectUris
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
    )
  ];
  const refused = values.scopes.filter((scope) => !offered.includes(scope));
  const problems = [
    nameProblem(values.name),
    ...redirectUriProblems(uris),
    values.type ? undefined : 'Choose whether the application is confidential or public.',
    refused.length
      ? `These scopes cannot be requested here: ${refused.map((s) => s.slice(0, 100)).join(', ')}.`
      : undefined
  ].filter((problem): problem is string => Boolean(problem));
  if (problems.length) return { values, problems };
  const isPublic = values.type === 'public';
  return {
    values,
    problems,
    registration: {
      name: values.name,
      redirectUris: uris,
      isPublic,
      scopes: values.scopes,
      grantTypes: grantTypesFor(isPublic),
      ...(isPublic ? { tokenEndpointAuthMethod: 'none' as const } : {})
    }
  };
}
