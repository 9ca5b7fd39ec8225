import http from 'http';
import https from 'https';
import type { AddressInfo } from 'net';
import type { TLSSocket } from 'tls';
import type { TestCertificate } from './client-certificates';
import { relay } from './load-balancer';
import { loopbackTls } from './loopback-tls';

/** The header the terminator passes client certificates in (RFC 9440 §2). */
export const CLIENT_CERT = 'client-cert';

export interface TlsTerminator {
  /** https://127.0.0.1:<port>, trusted with loopbackTls().cert. */
  url: string;
  /** The gateways behind it, in turn. */
  targets: string[];
  close(): Promise<void>;
}

/**
 * An https reverse proxy on 127.0.0.1 as operators put in front of a gateway for mutual TLS (nginx's
 * `ssl_verify_client optional_no_ca`): it asks every client for a certificate, checks none against a CA (the gateway
 * does, for tls_client_auth), and passes the one presented in `Client-Cert` (RFC 9440 §2.2), replacing whatever the
 * client sent in it (§2.4). It appends the peer to X-Forwarded-For, and sends requests to its targets in turn, from
 * `from.localAddress` when given (a loopback address other than 127.0.0.1, for `mtls.trustedProxies`).
 */
export function startTlsTerminator(targets: string[], from?: { localAddress: string }): Promise<TlsTerminator> {
  const agent = new http.Agent({ keepAlive: false });
  const { key, cert } = loopbackTls();
  const terminator = { targets } as TlsTerminator;
  let next = 0;
  const server = https.createServer({ key, cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const target = new URL(terminator.targets[next++ % terminator.targets.length]!);
    const presented = (req.socket as TLSSocket).getPeerX509Certificate();
    const headers = { ...req.headers };
    delete headers[CLIENT_CERT];
    if (presented) headers[CLIENT_CERT] = `:${presented.raw.toString('base64')}:`;
    headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] = 'https';
    relay(req, res, target, { agent, headers, ...from });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      terminator.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      terminator.close = () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve(terminator);
    })
  );
}

export interface TlsReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** A request over https to the terminator, presenting `certificate` (or none). */
export function mtlsRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; certificate?: TestCertificate | null }
): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ca: loopbackTls().cert,
        agent: false,
        ...(options.certificate ? { cert: options.certificate.cert, key: options.certificate.key } : {})
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      }
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A form POST over https to the terminator, presenting `certificate` (or none). */
export const mtlsPost = (
  url: string,
  form: Record<string, string>,
  certificate: TestCertificate | null,
  headers: Record<string, string> = {}
) =>
  mtlsRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    certificate
  });

/** A plain http request to a gateway from a local address of the caller's choosing, as a terminator there would send. */
export function requestFrom(
  localAddress: string,
  url: string,
  headers: http.OutgoingHttpHeaders
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() })
      );
    });
    req.on('error', reject);
    req.end();
  });
}
