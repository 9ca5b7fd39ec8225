import type { NextFunction, Request, Response } from 'express';

/**
 * Headers of every page the plugin renders: no framing (clickjacking, RFC
 * 6749 §10.13), no caching of pages that hold transaction ids and CSRF
 * tokens, no referrer that could carry a code or state elsewhere.
 * form-action is left out: Chrome applies it to the redirect back to the
 * client after the consent form.
 */
export function pageHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy':
      "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff'
  });
  next();
}
