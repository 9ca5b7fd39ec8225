import http from 'http';
import type { AddressInfo } from 'net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface RunningMcpServer {
  /** Its MCP endpoint. */
  url: string;
  /** The headers of every request it received (tests read what the gateway passed on). */
  seen: http.IncomingHttpHeaders[];
  close(): void;
}

/** What the gateway told the upstream of the caller (the policy's eg-token-* headers). */
function caller(headers: http.IncomingHttpHeaders): Record<string, unknown> {
  return { user: headers['eg-token-authenticated-user-id'], scopes: headers['eg-token-scopes'] };
}

/**
 * An MCP server (Streamable HTTP, stateless, JSON answers) behind the gateway's `mcp` pipeline: it trusts the gateway
 * to have checked the token, and its one tool, `whoami`, says who the gateway says is calling.
 */
export function startMcpServer(port = 0): Promise<RunningMcpServer> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer(async (req, res) => {
    seen.push(req.headers);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      const mcp = new McpServer({ name: 'demo-orders', version: '1.0.0' });
      mcp.registerTool('whoami', { description: 'Who the gateway says is calling' }, async (extra) => ({
        content: [{ type: 'text', text: JSON.stringify(caller(extra.requestInfo?.headers ?? {})) }]
      }));
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
      res.on('close', () => void transport.close().then(() => mcp.close()));
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
        seen,
        close: () => server.close()
      })
    );
  });
}
