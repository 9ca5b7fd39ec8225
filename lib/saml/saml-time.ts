import { reject, SAML_REASONS } from './saml-rejected';

/** XML Schema 1.0 part 2 §3.2.7 lexical form, restricted to 4-digit years (no sign, no year 10000+). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an xs:dateTime strictly, to ms since epoch. SAML core §1.3.3 says times are UTC
 * (written with `Z`); an explicit offset is honoured and no zone means UTC. Anything that is
 * not a real instant (month 13, 30 February, leap second 60, `24:00:00`) is malformed, where
 * `Date.parse` would guess.
 */
export function parseSamlTime(value: string | undefined, what: string): number {
  const match = value === undefined ? null : DATE_TIME.exec(value);
  if (!match) return reject(SAML_REASONS.malformed, `${what} is not an xs:dateTime`);
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '', fraction = '', zone = 'Z'] = match;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
  const check = new Date(local);
  const real =
    check.getUTCFullYear() === +y &&
    check.getUTCMonth() === +mo - 1 &&
    check.getUTCDate() === +d &&
    check.getUTCHours() === +h &&
    check.getUTCMinutes() === +mi &&
    check.getUTCSeconds() === +s;
  const offset =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  if (!real || +y < 1000 || Math.abs(offset) > 14 * 60 || Number(zone.slice(4) || 0) > 59) {
    return reject(SAML_REASONS.malformed, `${what} is not a valid instant`);
  }
  return local - offset * 60_000;
}
