/**
 * The tiny web server of the browser samples: it listens on the host and port
 * of the redirect URI the demo registered for them (demo.json's
 * examplesRedirectUri, a loopback address as RFC 8252 §7.3 describes), serves
 * a few routes, and ends the program once it has shown its result page.
 */
import http from 'node:http';
import { demo, failure } from './demo.mjs';

/** Stops a route after a failed check, once its error page is on its way. */
class Stopped extends Error {}

export const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;word-break:break-all;background:#f3f5f9;padding:1rem;border-radius:8px}</style>
<h1 id="title">${escapeHtml(title)}</h1>${body}`;

/** Sends an HTML page; the program goes on. */
export function show(res, title, body) {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(page(title, body));
}

/** Sends an HTML page and ends the program: exit status 0 when `ok`, else 1. */
export function finish(res, ok, title, body) {
  res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(page(title, body), () => process.exit(ok ? 0 : 1));
}

/** The request's application/x-www-form-urlencoded body. */
export async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/** Serves `routes` ({ '/path': async (req, res, url) => … }); a failed check answers an error page and exits 1. */
export function startWebApp(routes) {
  const origin = new URL(demo.examplesRedirectUri);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    failure.handle = (message) => {
      finish(
        res,
        false,
        'The sample failed',
        `<p>This check failed: ${escapeHtml(message)}</p><p>The terminal shows every request it made.</p>`
      );
      throw new Stopped(message);
    };
    try {
      await route(req, res, url);
    } catch (err) {
      if (!(err instanceof Stopped)) finish(res, false, 'The sample failed', `<pre>${escapeHtml(err.stack)}</pre>`);
    }
  });
  server.listen(Number(origin.port), origin.hostname, () => {
    console.log(`\nOpen ${origin.origin}/ in your browser (sign in as ${demo.user.username} / ${demo.user.password}).`);
  });
  server.on('error', (err) => {
    console.error(`✗ cannot listen on ${origin.host}: ${err.message}`);
    process.exit(1);
  });
  return server;
}
