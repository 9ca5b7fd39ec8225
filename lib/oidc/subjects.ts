import { createHmac } from 'crypto';
import { registeredRedirectUris } from '../clients/client.repository';
import type { EgApplication } from '../eg/types';
import { UnauthorizedClient } from '../errors';

/** The app property that makes an app's subjects pairwise (OpenID Connect Core §8; registration's subject_type). */
export const SUBJECT_TYPE = 'subjectType';
/** The app property naming the sector of a pairwise app (Core §8.1; registration's sector_identifier_uri). */
export const SECTOR_IDENTIFIER_URI = 'sectorIdentifierUri';

/** The subject types this server gives (Core §8; Discovery's subject_types_supported). */
export function subjectTypesOffered(pairwiseSecret: string | undefined): string[] {
  return pairwiseSecret === undefined ? ['public'] : ['public', 'pairwise'];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Why this server cannot give the app the subjects it declares: a `subjectType` other than public or pairwise, or
 * pairwise without `oidc.pairwiseSecret`, or a `sectorIdentifierUri` that is not an http(s) URL. Null when it can.
 * Handing such an app the user's id would break the promise its subject type makes, so its requests are refused.
 */
export function subjectTypeProblem(app: EgApplication, pairwiseSecret: string | undefined): string | null {
  const declared = text(app[SUBJECT_TYPE]) ?? 'public';
  if (declared === 'public') return null;
  if (declared !== 'pairwise')
    return `The client's subjectType "${declared.slice(0, 50)}" is neither public nor pairwise`;
  if (pairwiseSecret === undefined)
    return 'The client asks for pairwise subjects, which this server does not give (oidc.pairwiseSecret is not set)';
  const uri = text(app[SECTOR_IDENTIFIER_URI]);
  if (uri !== undefined && urlHost(uri) === null) return "The client's sectorIdentifierUri is not an http(s) URL";
  return null;
}

/** Loopback hosts are any native app's (RFC 8252 §7.3), not one party's: never a sector. */
const LOOPBACK = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * The host of an http(s) URL, lower case and without a trailing dot (`rp.example.com.` is `rp.example.com`); null for
 * another scheme (a `urn:` or private-use scheme has no host to name a sector).
 */
function urlHost(uri: string): string | null {
  const url = URL.canParse(uri) ? new URL(uri) : null;
  if (!url || !/^https?:$/.test(url.protocol)) return null;
  return url.hostname.replace(/\.$/, '') || null;
}

/** The host of a redirect URI that names one party: not loopback, which any native app may claim. */
export function webHost(uri: string): string | null {
  const host = urlHost(uri);
  return host && !LOOPBACK.test(host) ? host : null;
}

/**
 * The one web host of these redirect URIs (Core §8.1), lower case; null when there is none to name a sector: no URI,
 * URIs on several hosts, or one that is not http(s) on a host of its own (a private-use scheme's `com.example.app:/cb`
 * has an empty host, and every native app may claim loopback).
 */
export function redirectSector(redirectUris: readonly string[]): string | null {
  const hosts = new Set<string | null>(redirectUris.map(webHost));
  return hosts.size === 1 ? [...hosts][0]! : null;
}

/**
 * Core §8.1: the sector of a pairwise app is the host of its sector identifier URI, else the one web host of its
 * redirect URIs. An app without one is a sector of its own: nothing it is told can be matched with another app's.
 * Host names hold no space, so the two kinds never meet.
 */
function sectorOf(app: EgApplication): string {
  const uri = text(app[SECTOR_IDENTIFIER_URI]);
  // A sector identifier URI names its sector even on loopback: it was fetched (registration) or set by the operator.
  const named = uri === undefined ? null : urlHost(uri);
  return named ?? redirectSector(registeredRedirectUris(app)) ?? `client ${app.id}`;
}

/**
 * What an app is told of users, for comparing an app before and after a change: `public`, or `pairwise <sector>`
 * (or its declared type when it is neither).
 */
export function subjectIdentity(app: EgApplication): string {
  const declared = text(app[SUBJECT_TYPE]) ?? 'public';
  if (declared !== 'pairwise') return declared;
  return `pairwise ${sectorOf(app)}`;
}

/**
 * The `sub` an app is told for a user (Core §8): the user's id, or for a pairwise app an HMAC-SHA256 of its sector
 * and the user's id, keyed with `oidc.pairwiseSecret` (Core §8.1 allows any such calculation the server alone can
 * make). One sector's apps can match their users; apps of two sectors cannot; nobody without the key can find the
 * user's id behind it.
 */
export class Subjects {
  constructor(private readonly pairwiseSecret: string | undefined) {}

  get offered(): string[] {
    return subjectTypesOffered(this.pairwiseSecret);
  }

  /** @throws UnauthorizedClient when the app declares subjects this server cannot give (subjectTypeProblem). */
  assertGiven(app: EgApplication): void {
    const problem = subjectTypeProblem(app, this.pairwiseSecret);
    if (problem) throw new UnauthorizedClient(problem);
  }

  /** Whether the app must never learn a user's id: it declares subjects other than public (given or not). */
  hidesUserId(app: EgApplication): boolean {
    return (text(app[SUBJECT_TYPE]) ?? 'public') !== 'public';
  }

  /** @throws UnauthorizedClient when the app declares subjects this server cannot give (subjectTypeProblem). */
  of(userId: string, app: EgApplication): string {
    this.assertGiven(app);
    return text(app[SUBJECT_TYPE]) === 'pairwise' ? this.pairwise(`${sectorOf(app)}\n${userId}`) : userId;
  }

  /**
   * The sign-in's session id as the app is told it (Back-Channel Logout 1.0 §2.1 sid): for a pairwise app, one of
   * its sector, since one sid given to two sectors would match their users.
   */
  sidOf(sid: string, app: EgApplication): string {
    this.assertGiven(app);
    return text(app[SUBJECT_TYPE]) === 'pairwise' ? this.pairwise(`sid\n${sectorOf(app)}\n${sid}`) : sid;
  }

  /**
   * What the app may learn of the user behind one of its own tokens (introspection, token information): for a
   * pairwise app, the `sub` its ID tokens carry and no username, which would give the user away across sectors (none
   * at all when its subjects cannot be given); for any other, the user's id and name as they are.
   */
  toldOf(user: { sub: string; username?: string | undefined }, app: EgApplication) {
    if (!this.hidesUserId(app)) return user;
    return subjectTypeProblem(app, this.pairwiseSecret) ? {} : { sub: this.of(user.sub, app) };
  }

  /**
   * Base64url HMAC-SHA256 of the text under the pairwise secret (checked set by assertGiven). Its parts are joined by
   * newlines, which no host holds: no two lists of parts make the same text.
   */
  private pairwise(text: string): string {
    return createHmac('sha256', this.pairwiseSecret!).update(text).digest('base64url');
  }
}
