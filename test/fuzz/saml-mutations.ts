import { billionLaughs, externalEntity } from '../helpers/saml';
import { mutateString, nastyString } from './nasty-values';
import type { Random } from './random';

const ROOT = /<saml:Assertion /;

/** XML that attacks the parser: entity bombs, external entities, depth, width, odd encodings. */
function hostileXml(r: Random, assertion: string): string {
  return r.weighted<() => string>([
    [2, () => billionLaughs()],
    [1, () => externalEntity()],
    [
      1,
      () =>
        `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]>${assertion}`
    ],
    [
      1,
      () => {
        const big = 'x'.repeat(5000);
        return `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY big "${big}">]>${assertion.replace(/(<saml:Issuer>)/, `$1${'&big;'.repeat(2000)}`)}`;
      }
    ],
    [2, () => `${'<a>'.repeat(r.pick([1000, 5000, 10000]))}${'</a>'.repeat(r.pick([0, 1000, 5000, 10000]))}`],
    [1, () => assertion.replace(ROOT, `<saml:Assertion ${'x'.repeat(r.pick([1000, 40000]))}="1" `)],
    [
      1,
      () =>
        assertion.replace(ROOT, `<saml:Assertion ${Array.from({ length: 3000 }, (_, i) => `a${i}="${i}"`).join(' ')} `)
    ],
    [1, () => assertion.replace(/(<saml:NameID[^>]*>)([^<]*)/, '$1$2<!---->.evil')],
    [
      1,
      () =>
        assertion.replace(/<saml:NameID[^>]*>[^<]*/, (m) => `${m.replace(/>[^<]*$/, '>')}<![CDATA[${nastyString(r)}]]>`)
    ],
    [1, () => `<?xml version="1.0" encoding="${r.pick(['UTF-16', 'UTF-7', 'EBCDIC-US', 'nope'])}"?>${assertion}`],
    [1, () => `\uFEFF<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?>${assertion}`],
    [1, () => assertion.slice(0, r.int(assertion.length))],
    [1, () => mutateString(r, assertion)],
    [
      1,
      () =>
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${assertion}${assertion}</samlp:Response>`
    ],
    [1, () => assertion.replace(/xmlns:saml="[^"]*"/, `xmlns:saml="${r.pick(['', 'urn:evil', nastyString(r)])}"`)],
    [1, () => nastyString(r)]
  ])();
}

/**
 * An RFC 7522 `assertion` parameter that is wrong in any way: hostile XML,
 * a genuinely signed assertion changed after signing, or good XML in a bad
 * encoding (base64 instead of base64url, line breaks, raw XML, garbage).
 */
export function garbledSamlAssertion(r: Random, signed: readonly string[], unsigned: string): string {
  const good = r.pick(signed);
  const xml = r.weighted<() => string>([
    [4, () => hostileXml(r, r.chance(0.5) ? good : unsigned)],
    [2, () => good],
    [2, () => mutateString(r, good)],
    [1, () => unsigned]
  ])();
  const bytes = Buffer.from(xml, 'utf8');
  return r.weighted<() => string>([
    [5, () => bytes.toString('base64url')],
    [2, () => bytes.toString('base64')],
    [1, () => bytes.toString('base64').replace(/(.{76})/g, '$1\r\n')],
    [1, () => xml],
    [1, () => r.bytes(r.between(0, 2000)).toString('base64url')],
    [1, () => Buffer.from(bytes.toString('base64url')).toString('base64url')],
    [1, () => mutateString(r, bytes.toString('base64url'))],
    [1, () => encodeURIComponent(bytes.toString('base64'))]
  ])();
}
