import type { Request } from 'express';

/**
 * The client address the per-IP limits count. Behind a load balancer every
 * request comes from the balancer, so one shared counter would lock every
 * user out at once; each trusted proxy appends the address it received the
 * request from to X-Forwarded-For, so the client is `trustedHops` entries
 * back from the TCP peer. Entries further back are the client's own words
 * and never used: a client cannot name itself a fresh address per guess.
 * (Express's `trust proxy` set to a number means the same; EG's app leaves
 * it unset, and the plugin does not reconfigure EG's app.)
 */
export function clientIp(req: Request, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',').map((entry) => entry.trim()).filter(Boolean);
  const hops = [peer, ...forwarded.reverse()];
  return hops[Math.min(trustedHops, hops.length - 1)];
}
