import { createHash, randomBytes } from 'crypto';
import { Reply, request } from './http';

/**
 * A scripted browser over fetch: keeps cookies per path, never follows
 * redirects on its own, and reads the hidden fields of the pages.
 */
export class Browser {
  /** @param headers sent with every request (e.g. the X-Forwarded-For of a proxy in front). */
  constructor(
    private readonly base: string,
    private readonly cookies = new Map<string, { value: string; path: string }>(),
    private readonly headers: Record<string, string> = {}
  ) {}

  /** The same browser, cookies and all, talking to another gateway instance. */
  at(base: string): Browser {
    return new Browser(base, this.cookies, this.headers);
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private remember(res: Reply): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, ...value] = pair.split('=');
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^expires=thu, 01 jan 1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value: value.join('='), path });
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  async get(pathOrUrl: string): Promise<Reply> {
    const url = new URL(pathOrUrl, this.base);
    const res = await request(url.toString(), { headers: { ...this.headers, Cookie: this.cookieHeader(url) } });
    this.remember(res);
    return res;
  }

  /** Posts a form; give pairs to repeat a field (checkboxes). */
  async post(pathOrUrl: string, form: Record<string, string> | [string, string][]): Promise<Reply> {
    const url = new URL(pathOrUrl, this.base);
    const res = await request(url.toString(), {
      method: 'POST',
      headers: { ...this.headers, Cookie: this.cookieHeader(url), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString()
    });
    this.remember(res);
    return res;
  }

  /** Follows redirects that stay on the gateway; stops at one that leaves it (the client's redirect URI). */
  async follow(res: Reply): Promise<Reply> {
    let current = res;
    for (let i = 0; i < 10 && current.status >= 300 && current.status < 400; i++) {
      const location = new URL(current.headers.get('location')!, this.base);
      if (location.origin !== new URL(this.base).origin) return current;
      current = await this.get(location.toString());
    }
    return current;
  }
}

/** A hidden form field of a page, unescaped. */
export function hiddenField(html: string, name: string): string {
  const match =
    new RegExp(`name="${name}" value="([^"]*)"`).exec(html) ?? new RegExp(`value="([^"]*)" name="${name}"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page:\n${html.slice(0, 2000)}`);
  return match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}

/**
 * The fields a browser posts from a login page: its CSRF token, where it returns to (when a page sent the user there),
 * the credentials.
 */
export function signInForm(loginPage: Reply, username: string, password: string): Record<string, string> {
  const form: Record<string, string> = { _csrf: hiddenField(loginPage.text, '_csrf'), username, password };
  if (loginPage.text.includes('name="return_to"')) form.return_to = hiddenField(loginPage.text, 'return_to');
  return form;
}

/** An RFC 7636 S256 pair: the verifier a client keeps and the challenge it sends. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
