import type { Request } from 'express';
import { InvalidRequest } from '../errors';

/** The whole request body, at most `maxBytes` (else invalid_request). */
export function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new InvalidRequest('The request body is too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (err) => reject(new InvalidRequest('The request body could not be read', err.message)));
  });
}

/**
 * Reads a form body on its way upstream and lets it be sent on afterwards:
 * EG's proxy pipes the request stream, which reading has drained, so `pipe`
 * is replaced by one that writes the (possibly edited) body. Used only when a
 * pipeline opts into form-body tokens (RFC 6750 §2.2).
 */
export async function readReplayableForm(
  req: Request,
  maxBytes: number
): Promise<{
  form: URLSearchParams;
  replaceWith(form: URLSearchParams): void;
}> {
  const raw = await readBody(req, maxBytes);
  const replay = (body: Buffer) => {
    req.headers['content-length'] = String(body.length);
    delete req.headers['transfer-encoding'];
    (req as unknown as { pipe: (dest: NodeJS.WritableStream) => NodeJS.WritableStream }).pipe = (dest) => {
      dest.end(body);
      return dest;
    };
  };
  replay(raw);
  return {
    form: new URLSearchParams(raw.toString('utf8')),
    replaceWith: (form) => replay(Buffer.from(form.toString()))
  };
}
