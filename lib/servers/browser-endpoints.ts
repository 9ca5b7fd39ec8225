/**
 * The policy of a proxied authorization page: its scripts and forms work,
 * in an opaque origin. Never allow-same-origin: the page would then be the
 * gateway's origin, and could read its consent page with the user's cookies
 * (issue 15, item 4).
 */
export const SANDBOXED_PAGE = 'sandbox allow-forms allow-scripts';
/** The policy of every other proxied answer: an API answer has no business running script or posting forms. */
export const SANDBOXED_ANSWER = 'sandbox';

