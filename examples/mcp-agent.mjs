// An AI agent on the Model Context Protocol SDK that knows one URL, the demo's MCP server behind the gateway
// (/mcp), and finds everything else the MCP authorization specification way: the 401's resource metadata (RFC 9728),
// the authorization server's metadata (RFC 8414), dynamic registration (RFC 7591) with the initial access token its
// operator handed it, the code flow with PKCE and the resource (RFC 8707) for a user in the browser, then a tool call.
// The token it gets is the MCP server's alone: another API of the same gateway refuses it.
// Run with: node examples/mcp-agent.mjs   (after npm start), then open the printed URL.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { api, call, check, demo, short } from './lib/demo.mjs';
import { escapeHtml, finish, startWebApp } from './lib/web-app.mjs';

const mcpUrl = api('/mcp');
console.log(`\nThe agent knows one URL: ${mcpUrl}`);
const bare = await call('POST', mcpUrl, { json: { jsonrpc: '2.0', id: 1, method: 'ping' } });
const metadataUrl = /resource_metadata="([^"]+)"/.exec(bare.headers.get('www-authenticate') ?? '')?.[1];
check(bare.status === 401 && metadataUrl, 'a bare call is refused, and the challenge names the resource metadata');
const resource = await call('GET', metadataUrl);
check(resource.json?.resource === mcpUrl, 'the metadata names the MCP server as the resource (RFC 9728 §3.3)');

// The operator hands the agent a token that registers one client for alice (EG's admin API); the SDK registers
// without one, so the agent adds it to that request only.
const issued = await call('POST', `${demo.admin}/oauth2/registration-tokens`, {
  json: { owner: demo.user.username, uses: 1, ttl: 600 }
});
check(issued.status === 201, 'the operator issued an initial access token');
const registrationToken = issued.json.initial_access_token;
const seen = [];
const agentFetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  seen.push(`${init?.method ?? 'GET'} ${url}`);
  if (!url.endsWith('/oauth2/register')) return fetch(input, init);
  const headers = new Headers(init?.headers);
  headers.set('Authorization', `Bearer ${registrationToken}`);
  return fetch(input, { ...init, headers });
};

/** What the SDK asks an agent to keep between steps (a real one keeps it on disk). */
const kept = { verifier: '', authorizationUrl: undefined, client: undefined, tokens: undefined };
const authProvider = {
  redirectUrl: demo.examplesRedirectUri,
  clientMetadata: {
    client_name: 'Demo MCP agent',
    redirect_uris: [demo.examplesRedirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    scope: 'read'
  },
  clientInformation: () => kept.client,
  saveClientInformation: (client) => (kept.client = client),
  tokens: () => kept.tokens,
  saveTokens: (tokens) => (kept.tokens = tokens),
  redirectToAuthorization: (url) => (kept.authorizationUrl = url),
  saveCodeVerifier: (verifier) => (kept.verifier = verifier),
  codeVerifier: () => kept.verifier,
  invalidateCredentials: () => (kept.tokens = undefined)
};
const transport = () => new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider, fetch: agentFetch });
let pending;

startWebApp({
  '/': async (req, res) => {
    pending = transport();
    const refused = await new Client({ name: 'demo-agent', version: '1.0.0' }).connect(pending).catch((err) => err);
    check(refused instanceof UnauthorizedError, 'the SDK needs the user: it has a client and an authorization URL');
    console.log(`\nWhat the SDK did on its own:\n    ${seen.join('\n    ')}`);
    check(kept.client?.client_id, `it registered as ${kept.client?.client_id} (RFC 7591)`);
    const authorize = kept.authorizationUrl;
    check(authorize.searchParams.get('resource') === mcpUrl, 'its authorization request names the resource (RFC 8707)');
    console.log(`\nRedirecting the browser to the authorization endpoint:\n    ${authorize}`);
    res.writeHead(302, { Location: authorize.toString() }).end();
  },

  '/callback': async (req, res, url) => {
    const params = Object.fromEntries(url.searchParams);
    console.log(
      `\nThe browser came back with ${JSON.stringify({ ...params, code: params.code && short(params.code) })}`
    );
    check(params.iss === demo.gateway, 'iss names the authorization server (RFC 9207)');
    check(!params.error, `the user allowed access${params.error ? ` (the gateway says ${params.error})` : ''}`);
    await pending.finishAuth(params.code);
    check(kept.tokens?.access_token, 'the SDK exchanged the code with its PKCE verifier and the resource');

    const client = new Client({ name: 'demo-agent', version: '1.0.0' });
    await client.connect(transport());
    const result = await client.callTool({ name: 'whoami' });
    const said = JSON.parse(result.content[0].text);
    console.log(`\nThe MCP server's whoami tool answered ${JSON.stringify(said)}`);
    check(said.scopes === 'read', 'the tool call went through the gateway, which told the MCP server the scopes');
    await client.close();

    const elsewhere = await call('GET', api('/api'), { bearer: kept.tokens.access_token });
    check(elsewhere.status === 401, "the token is the MCP server's alone: /api refuses it");
    finish(
      res,
      true,
      'An MCP agent signed in through the gateway',
      `<p>Knowing only <code>${escapeHtml(mcpUrl)}</code>, the agent found the gateway's authorization server, ` +
        `registered, got a token for that server alone and called its tool, which answered:</p>` +
        `<pre>${escapeHtml(JSON.stringify(said))}</pre><p>The sample has exited; the terminal shows every step.</p>`
    );
  }
});
