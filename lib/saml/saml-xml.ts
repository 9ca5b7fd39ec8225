import { DOMParser, MIME_TYPE } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';

import { reject, SAML_REASONS } from './saml-rejected';

export type { Document, Element };

/** SAML core §2 and XML Signature namespaces. */
export const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  ds: 'http://www.w3.org/2000/09/xmldsig#'
} as const;

/** A real assertion is a few KiB; the cap bounds parsing and canonicalization work. */
export const MAX_ASSERTION_BYTES = 64 * 1024;

/** RFC 4648 §5 (base64url) and §4 (base64) alphabets together, with optional padding. */
const BASE64ISH = /^[A-Za-z0-9_\-+/]+={0,2}$/;

/**
 * RFC 7522 §2.1: the `assertion` parameter is the base64url encoded assertion. Standard base64
 * and padding are tolerated (common client mistakes), whitespace and other characters are not.
 * The bytes must be valid UTF-8 (XML 1.0 §4.3.3 default; SAML assertions are UTF-8 in practice).
 */
export function decodeAssertion(encoded: string): string {
  if (typeof encoded !== 'string' || encoded.length === 0) reject(SAML_REASONS.malformed, 'no assertion');
  if (encoded.length > Math.ceil(MAX_ASSERTION_BYTES / 3) * 4 + 4)
    reject(SAML_REASONS.tooLarge, `${encoded.length} characters`);
  if (!BASE64ISH.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) {
    reject(SAML_REASONS.malformed, 'not base64url');
  }
  const bytes = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length > MAX_ASSERTION_BYTES) reject(SAML_REASONS.tooLarge, `${bytes.length} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return reject(SAML_REASONS.malformed, 'not UTF-8');
  }
}

/**
 * Parses XML strictly. A document type declaration is refused before the parser sees it: a
 * SAML assertion has no use for one, and its entities are how billion-laughs (entity expansion)
 * and XXE payloads work. Every parser error or warning is a refusal, never another exception.
 */
export function parseXml(xml: string): Document {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) reject(SAML_REASONS.malformed, 'document type declaration');
  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        problems.push(`${level}: ${message}`);
        throw new Error(message);
      }
    }).parseFromString(xml, MIME_TYPE.XML_TEXT);
  } catch (err) {
    return reject(SAML_REASONS.malformed, problems[0] ?? (err as Error).message);
  }
  if (!doc.documentElement) reject(SAML_REASONS.malformed, 'no document element');
  return doc;
}

/** True when `node` is the element `{ns}localName`. */
export function isElement(node: unknown, ns: string, localName: string): node is Element {
  const el = node as Element | null;
  return el?.nodeType === 1 && el.namespaceURI === ns && el.localName === localName;
}

/** The element children of `parent` named `{ns}localName`, in document order. */
export function children(parent: Element, ns: string, localName: string): Element[] {
  return Array.from(parent.childNodes).filter((node): node is Element => isElement(node, ns, localName));
}

/** All element children of `parent`. */
export function elementChildren(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter((node): node is Element => node.nodeType === 1);
}

/**
 * The single child `{ns}localName` of `parent`, or undefined. Two of them is a schema violation
 * an attacker could use to make two readers see different values, so it is refused.
 */
export function onlyChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = children(parent, ns, localName);
  if (found.length > 1) reject(SAML_REASONS.malformed, `more than one ${localName} in ${parent.localName}`);
  return found[0];
}

/** An attribute's value, or undefined when absent (xmldom returns null for absent). */
export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}
