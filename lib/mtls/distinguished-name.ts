/** One attribute of a relative distinguished name, normalized for comparison. */
type Attribute = `${string}=${string}`;

/**
 * Numeric object identifiers and other names of the attribute types certificates name, by the name Node (OpenSSL)
 * prints, lower-cased. A type OpenSSL has no name for is printed as its dotted identifier, and compared so.
 */
const TYPE_NAMES: Record<string, string> = {
  '2.5.4.3': 'cn',
  '2.5.4.4': 'sn',
  '2.5.4.5': 'serialnumber',
  '2.5.4.6': 'c',
  '2.5.4.7': 'l',
  '2.5.4.8': 'st',
  '2.5.4.9': 'street',
  '2.5.4.10': 'o',
  '2.5.4.11': 'ou',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businesscategory',
  '2.5.4.17': 'postalcode',
  '2.5.4.20': 'telephonenumber',
  '2.5.4.41': 'name',
  '2.5.4.42': 'gn',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationqualifier',
  '2.5.4.46': 'dnqualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationidentifier',
  '0.9.2342.19200300.100.1.1': 'uid',
  '0.9.2342.19200300.100.1.25': 'dc',
  '1.2.840.113549.1.9.1': 'emailaddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionl',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionst',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionc',
  commonname: 'cn',
  countryname: 'c',
  localityname: 'l',
  stateorprovincename: 'st',
  organizationname: 'o',
  organizationalunitname: 'ou',
  streetaddress: 'street',
  domaincomponent: 'dc',
  givenname: 'gn',
  surname: 'sn',
  s: 'st',
  e: 'emailaddress',
  email: 'emailaddress',
  userid: 'uid'
};

/** RFC 4514 §2.4: characters a value holds only escaped (`,` `+` `\` are separators and the escape itself). */
const MUST_ESCAPE = new Set([';', '"', '<', '>']);

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Splits on a separator that no backslash escapes; each part trimmed of unescaped spaces. */
function splitUnescaped(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (separator.test(text[i]!)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.replace(/^ +/, '').replace(/(?<!\\) +$/, ''));
}

/** RFC 4514 §2.4 escapes: a backslash before a special character, or before two hex digits (UTF-8 bytes). */
function unescape(value: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '\\') {
      // A whole code point: a lone half of a surrogate pair would read as U+FFFD, the same for every other one.
      const char = String.fromCodePoint(value.codePointAt(i)!);
      if (MUST_ESCAPE.has(char)) return null;
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length - 1;
      continue;
    }
    const hex = value.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (i + 1 < value.length) {
      const char = String.fromCodePoint(value.codePointAt(i + 1)!);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    } else return null;
  }
  try {
    return STRICT_UTF8.decode(Buffer.from(bytes));
  } catch {
    return null; // bytes that are no UTF-8 would all read as U+FFFD, one like another
  }
}

/**
 * One attribute, `type=value`, as caseIgnoreMatch compares it (RFC 4517 §4.2.11, RFC 4518 §2.6.1): the type by one
 * name, the value lower-cased with its runs of spaces as one. Null for one that cannot be read, or a `#` BER value.
 */
function attribute(text: string): Attribute | null {
  const equals = text.indexOf('=');
  if (equals <= 0) return null;
  const rawType = text.slice(0, equals).trim().toLowerCase();
  const rawValue = text.slice(equals + 1);
  if (rawValue.startsWith('#') || !/^[a-z][a-z0-9-]*$|^\d+(\.\d+)+$/.test(rawType)) return null;
  const value = unescape(rawValue);
  if (value === null) return null;
  const type = TYPE_NAMES[rawType] ?? rawType;
  return `${type}=${value.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** Relative distinguished names, first to last as the certificate encodes them; null when one cannot be read. */
function names(rdns: string[]): Attribute[][] | null {
  const read = rdns.map((rdn) => {
    const attributes = splitUnescaped(rdn, /\+/).map(attribute);
    return attributes.includes(null) ? null : (attributes as Attribute[]).sort();
  });
  return read.includes(null) || read.length === 0 ? null : (read as Attribute[][]);
}

/**
 * A distinguished name in the RFC 4514 string form an app registers (`tlsClientAuthSubjectDn`, RFC 8705 §2.1.2):
 * `CN=client,O=Example,C=US`, the last RDN of the certificate first. Null when it cannot be read.
 */
export function parseRfc4514(dn: string): Attribute[][] | null {
  if (typeof dn !== 'string' || !dn.trim() || dn.length > 1024) return null;
  return names(splitUnescaped(dn.trim(), /,/).reverse());
}

/** The subject of a certificate as Node prints it (`X509Certificate.subject`): one RDN a line, escaped as RFC 4514. */
function parseNodeSubject(subject: string): Attribute[][] | null {
  return names(subject.split('\n').filter((line) => line !== ''));
}

/**
 * Whether a certificate's subject is the distinguished name an app registered (RFC 8705 §2.1.2): the same RDNs in
 * the same order, each attribute by type and case-insensitive value (RFC 4517 distinguishedNameMatch).
 */
export function subjectMatches(certificateSubject: string, registered: string): boolean {
  const expected = parseRfc4514(registered);
  const actual = parseNodeSubject(certificateSubject);
  if (!expected || !actual || expected.length !== actual.length) return false;
  return expected.every(
    (rdn, index) => rdn.length === actual[index]!.length && rdn.every((value, at) => value === actual[index]![at])
  );
}
