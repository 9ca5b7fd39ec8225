import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { postForm, Reply } from '../../support/http';
import { startFakeServer, type FakeServer } from '../helpers/fake-server';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { loopbackTls } from '../helpers/loopback-tls';
import type { World } from '../helpers/world';

/** How a document host answers one path. */
export interface Published {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  delay?: number;
}

/**
 * An https server of client ID metadata documents on 127.0.0.1 (its certificate trusted by the gateways through
 * NODE_EXTRA_CA_CERTS), answering what `publish` put at each path, 404 elsewhere.
 */
export interface DocumentHost {
  server: FakeServer;
  /** host:port, as a client_id URL names it. */
  host: string;
  url(name: string): string;
  /** Publishes a public client's document (code flow, REDIRECT_URI), with `fields` over it. */
  publish(name: string, fields?: Record<string, unknown>, headers?: Record<string, string>): string;
  /** Publishes whatever answer at the path of `name`. */
  answer(name: string, published: Published): string;
  /** How many times the gateway fetched `name`. */
  fetches(name: string): number;
  close(): Promise<void>;
}

export async function startDocumentHost(): Promise<DocumentHost> {
  const answers = new Map<string, Published>();
  const server = await startFakeServer((req) => {
    const found = answers.get(req.url);
    return found ? { ...found, status: found.status ?? 200 } : { status: 404 };
  }, loopbackTls());
  const url = (name: string) => `${server.url}/clients/${name}.json`;
  const pathOf = (name: string) => new URL(url(name)).pathname;
  const host: DocumentHost = {
    server,
    host: new URL(server.url).host,
    url,
    answer(name, published) {
      answers.set(pathOf(name), published);
      return url(name);
    },
    publish(name, fields = {}, headers = {}) {
      return host.answer(name, {
        body: {
          client_id: url(name),
          client_name: `Agent ${name}`,
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          ...fields
        },
        headers
      });
    },
    fetches: (name) => server.received.filter((req) => req.url === pathOf(name)).length,
    close: () => server.close()
  };
  return host;
}

/** The environment a gateway needs to trust the document hosts' certificate. */
export const trustingDocumentHosts = () => ({ NODE_EXTRA_CA_CERTS: loopbackTls().certFile });

/** What the consent page says about who registered the app. */
export function registrantOf(html: string): { kind?: string; text?: string } {
  const match = /<dd id="registrant" data-kind="([^"]*)">([\s\S]*?)<\/dd>/.exec(html);
  const text = match?.[2]
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { kind: match?.[1], text };
}

/** The name in the consent page's opening line. */
export const consentName = (html: string) => /<p class="lead"><strong>([^<]*)<\/strong>/.exec(html)?.[1];

/** The authorization endpoint's query for a client_id URL: code, REDIRECT_URI, scope read, S256 PKCE, `extra`. */
export function documentAuthorizeQuery(clientId: string, extra: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...extra
  });
}

/** An authorization request of a client_id URL, with S256 PKCE; up to the consent page or the error page. */
export async function authorizeDocumentClient(
  world: World,
  clientId: string,
  extra: Record<string, string> = {}
): Promise<{ browser: Browser; page: Reply; verifier: string }> {
  const browser = new Browser(world.gateway.url);
  const pkce = pkcePair();
  const page = await authorize(browser, world, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    state: 'st',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...extra
  });
  return { browser, page, verifier: pkce.verifier };
}

/** Allows on the consent page and exchanges the code as the public client `clientId`. */
export async function tokensOf(
  world: World,
  clientId: string,
  consent: { browser: Browser; page: Reply; verifier: string }
): Promise<Reply> {
  const code = (await decide(consent.browser, consent.page, true)).searchParams.get('code');
  expect(code).to.be.a('string');
  return postForm(`${world.gateway.url}/oauth2/token`, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: REDIRECT_URI,
    client_id: clientId,
    code_verifier: consent.verifier
  });
}

/** The error page an authorization request ends on, never a redirect to the client. */
export function expectErrorPage(page: Reply, text: RegExp): void {
  expect(page.status, page.text.slice(0, 400)).to.equal(400);
  expect(page.headers.get('location')).to.equal(null);
  expect(page.text.replace(/\s+/g, ' ')).to.match(text);
}

/** A refresh_token grant at the gateway `base`, as the public client `clientId`. */
export function refreshAs(base: string, clientId: string, refreshToken: string): Promise<Reply> {
  return postForm(`${base}/oauth2/token`, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: clientId
  });
}
