/** What an external authorization server's name may be: it appears in paths and in pipeline parameters. */
export const SERVER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
