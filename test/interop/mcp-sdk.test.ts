import { expect } from 'chai';
import type { Browser as Chromium } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { RunningMcpServer, startMcpServer } from '../../demo/mcp-server';
import { freePort } from '../../support/gateway';
import { launchChromium } from '../helpers/chromium';
import { registrar } from '../helpers/registrar';
import { startClientCallback } from '../helpers/client-callback';
import { oncePerRun } from '../helpers/once-per-run';
import { startWorld, World } from '../helpers/world';
import { DocumentHost, startDocumentHost, trustingDocumentHosts } from '../client-documents/document-world';

/** The agent's side of OAuth, as the SDK asks an application to keep it: in memory here. */
class AgentAuth implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  /** @param redirectUrl the agent's redirect endpoint (a loopback one, as a native app's, RFC 8252 §7.3). */
  constructor(readonly redirectUrl: string) {}
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Orders agent',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'read'
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials() {
    this.saved = undefined;
  }
}

/** An agent identified by its client ID metadata document (draft-ietf-oauth-client-id-metadata-document). */
class DocumentAgentAuth extends AgentAuth {
  constructor(
    redirectUrl: string,
    readonly clientMetadataUrl: string
  ) {
    super(redirectUrl);
  }
}

/** The user, in a browser: signs in and allows; returns the agent's redirect URL the browser lands on. */
async function userAllows(chromium: Chromium, world: World, authorizationUrl: URL, agentUrl: string) {
  const page = await chromium.newPage();
  await page.goto(authorizationUrl.toString());
  await page.fill('#username', world.user.username);
  await page.fill('#password', world.user.password);
  await Promise.all([page.waitForURL(/\/oauth2\/authorize\?/), page.click('button[type=submit]')]);
  const consent = {
    resources: await page.textContent('#resources'),
    registrant: await page.textContent('#registrant')
  };
  await Promise.all([page.waitForURL(`${agentUrl}?*`), page.click('button[name=allow]')]);
  const callback = new URL(page.url());
  await page.close();
  return { callback, consent };
}

/**
 * Issue 21 item 6: the MCP SDK's own client OAuth, against an MCP server behind the gateway, knowing only its URL: from
 * the first 401 through protected resource metadata (RFC 9728), authorization server metadata (RFC 8414), dynamic
 * registration (RFC 7591, with the initial access token an operator hands the agent) or a client ID metadata document
 * URL as client_id (issue 21 item 4), code + PKCE with the resource
 * (RFC 8707), a user in Chromium, to a tool call; the token is the MCP server's alone.
 */
describe('interop: the MCP SDK client reaches an MCP server behind the gateway', function () {
  this.timeout(60000);
  let world: World;
  let mcp: RunningMcpServer;
  let chromium: Chromium;
  let agent: { url: string; close(): void };
  let mcpUrl: string;
  let documents: DocumentHost;
  before(async function () {
    // The SDK's walk is the same on either store; the store's part is in the resource and registration suites.
    oncePerRun(this);
    [mcp, agent, documents] = await Promise.all([startMcpServer(), startClientCallback(), startDocumentHost()]);
    const port = await freePort();
    mcpUrl = `http://127.0.0.1:${port}/mcp`;
    world = await startWorld({
      port,
      settings: {
        dynamicRegistration: { enabled: true, allowedScopes: ['read'] },
        clientIdMetadataDocuments: { enabled: true, scopes: ['read'] },
        // The agent's document is served on 127.0.0.1 here; in production it is on the agent's public host.
        clientUrls: { allowPrivateNetworks: true }
      },
      env: trustingDocumentHosts(),
      gateway: {
        apiEndpoints: {
          api: { host: '*', paths: ['/api', '/api/*'] },
          mcp: { host: '*', paths: ['/mcp'], scopes: ['read'] }
        },
        serviceEndpoints: { backend: { url: 'http://127.0.0.1:9' }, mcp: { url: mcp.url } },
        pipelines: {
          protected: {
            apiEndpoints: ['api'],
            policies: [{ oauth2: null }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
          },
          // The MCP authorization specification: the server takes only tokens meant for it.
          mcp: {
            apiEndpoints: ['mcp'],
            policies: [
              { oauth2: [{ action: { resource: mcpUrl } }] },
              { proxy: [{ action: { serviceEndpoint: 'mcp', ignorePath: true } }] }
            ]
          }
        }
      }
    });
    chromium = await launchChromium();
  });
  after(async function () {
    await chromium?.close();
    await world?.stop();
    mcp?.close();
    agent?.close();
    await documents?.close();
  });

  it('discovers, registers, signs the user in and calls a tool with a token only the MCP server takes', async function () {
    const initial = (await registrar(world)).token;
    const registerUrl = `${world.gateway.url}/oauth2/register`;
    const requests: string[] = [];
    // The SDK registers without credentials; this gateway's registration endpoint wants an initial access token.
    const agentFetch: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      requests.push(`${init?.method ?? 'GET'} ${url}`);
      if (url !== registerUrl) return fetch(input, init);
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${initial}`);
      return fetch(input, { ...init, headers });
    };
    const auth = new AgentAuth(agent.url);
    const connect = async () => {
      const client = new Client({ name: 'orders-agent', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth, fetch: agentFetch })
      );
      return client;
    };

    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth, fetch: agentFetch });
    let refused: unknown;
    await new Client({ name: 'orders-agent', version: '1.0.0' }).connect(transport).catch((err) => (refused = err));
    expect(refused).to.be.instanceOf(UnauthorizedError);
    expect(requests).to.include(`GET ${world.gateway.url}/.well-known/oauth-protected-resource/mcp`);
    expect(requests).to.include(`POST ${registerUrl}`);
    const authorizationUrl = auth.authorizationUrl!;
    expect(authorizationUrl.searchParams.get('resource')).to.equal(mcpUrl);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(authorizationUrl.searchParams.get('scope')).to.equal('read');

    // The user, in a browser: sign in, allow; the browser lands on the agent's redirect endpoint.
    const { callback, consent } = await userAllows(chromium, world, authorizationUrl, agent.url);
    expect(consent.resources).to.contain(mcpUrl);
    expect(callback.searchParams.get('iss')).to.equal(world.gateway.url);

    await transport.finishAuth(callback.searchParams.get('code')!);
    const client = await connect();
    const result = await client.callTool({ name: 'whoami' });
    const said = JSON.parse((result.content as Array<{ text: string }>)[0].text);
    expect(said).to.deep.equal({ user: world.user.id, scopes: 'read' });
    await client.close();
    // The MCP server never sees the agent's token (hideCredentials).
    expect(mcp.seen.every((headers) => headers.authorization === undefined)).to.equal(true);

    // The token is the MCP server's: another API of the same gateway refuses it.
    const elsewhere = await world.api(auth.saved!.access_token, '/api');
    expect(elsewhere.status).to.equal(401);
    expect(elsewhere.headers.get('www-authenticate')).to.contain('not meant for this resource');

    // Its refresh, as the SDK does it, keeps the binding (RFC 8707 §2.2).
    const before = auth.saved!.access_token;
    auth.saved = { ...auth.saved!, access_token: 'expired-or-revoked' };
    const again = await connect();
    expect((await again.callTool({ name: 'whoami' })).isError).to.not.equal(true);
    await again.close();
    expect(auth.saved.access_token).to.not.equal(before);
    expect((await world.api(auth.saved.access_token, '/api')).status).to.equal(401);
  });

  it('names itself by its client ID metadata document URL, unregistered, and calls a tool', async function () {
    const requests: string[] = [];
    const agentFetch: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${String(input instanceof Request ? input.url : input)}`);
      return fetch(input, init);
    };
    const clientId = documents.publish('orders-agent', { client_name: 'Orders agent', redirect_uris: [agent.url] });
    const auth = new DocumentAgentAuth(agent.url, clientId);
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth, fetch: agentFetch });
    let refused: unknown;
    await new Client({ name: 'orders-agent', version: '1.0.0' }).connect(transport).catch((err) => (refused = err));
    expect(refused).to.be.instanceOf(UnauthorizedError);
    expect(requests.some((line) => line.startsWith('POST') && line.includes('/oauth2/register'))).to.equal(false);
    const authorizationUrl = auth.authorizationUrl!;
    expect(authorizationUrl.searchParams.get('client_id')).to.equal(clientId);

    const { callback, consent } = await userAllows(chromium, world, authorizationUrl, agent.url);
    expect(consent.registrant?.replace(/\s+/g, ' ')).to.contain(`describes itself in a document at ${documents.host}`);
    await transport.finishAuth(callback.searchParams.get('code')!);
    const client = new Client({ name: 'orders-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: auth, fetch: agentFetch }));
    const said = JSON.parse(((await client.callTool({ name: 'whoami' })).content as Array<{ text: string }>)[0].text);
    expect(said).to.deep.equal({ user: world.user.id, scopes: 'read' });
    await client.close();
    expect(documents.fetches('orders-agent')).to.be.greaterThan(0);
  });
});
