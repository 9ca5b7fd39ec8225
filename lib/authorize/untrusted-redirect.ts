/** Errors that must be shown to the user and never sent to a redirect URI (RFC 6749 §4.1.2.1). */
export class UntrustedRedirect extends Error {
  constructor(
    readonly title: string,
    message: string
  ) {
    super(message);
  }
}
