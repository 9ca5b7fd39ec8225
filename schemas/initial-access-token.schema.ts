/**
 * The body of `POST /oauth2/registration-tokens` on EG's admin API: an
 * initial access token for dynamic client registration (RFC 7591 §3). The
 * only place its defaults live.
 */
export const initialAccessTokenSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/initial-access-token.json',
  type: 'object',
  additionalProperties: false,
  required: ['owner'],
  properties: {
    owner: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'The EG user (id or username) who will own the clients registered with it.'
    },
    ttl: {
      type: 'integer',
      minimum: 60,
      maximum: 31536000,
      default: 86400,
      description: 'Seconds until the token expires.'
    },
    uses: { type: 'integer', minimum: 1, maximum: 1000, default: 1, description: 'How many clients it may register.' }
  }
} as const;

/** The request once validated and defaulted. */
export interface InitialAccessTokenRequest {
  owner: string;
  ttl: number;
  uses: number;
}
