/**
 * The OpenID Connect response types beyond `code` and `token` (Core §3.2,
 * §3.3; OAuth 2.0 Multiple Response Type Encoding Practices §5): the
 * implicit flow's ID token alone or with an access token, and the hybrid
 * flow's code with either or both. Each is answered in the fragment.
 */
export const OPENID_RESPONSE_TYPES = [
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token'
] as const;

export type OpenIdResponseType = (typeof OPENID_RESPONSE_TYPES)[number];
export type ResponseType = 'code' | 'token' | OpenIdResponseType;

const ORDER = ['code', 'id_token', 'token'];

/**
 * A response_type value in its canonical order (its words are a set: `token id_token` is `id_token token`), or
 * undefined for a value no flow has.
 */
export function canonicalResponseType(value: string): ResponseType | undefined {
  const words = value.split(' ');
  if (words.some((word) => !ORDER.includes(word)) || new Set(words).size !== words.length) return undefined;
  const canonical = ORDER.filter((word) => words.includes(word)).join(' ');
  return canonical === 'code' || canonical === 'token'
    ? canonical
    : OPENID_RESPONSE_TYPES.find((type) => type === canonical);
}

/** Which parts a response type answers with. */
export const answersWith = (type: ResponseType, part: 'code' | 'token' | 'id_token'): boolean =>
  type.split(' ').includes(part);
