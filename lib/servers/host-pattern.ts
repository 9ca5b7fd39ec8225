/** What a Host header may hold: a name or address, and a port (RFC 9110 §7.2). Anything else matches no pattern. */
const HOST = /^[A-Za-z0-9.\-:[\]]{1,300}$/;

/**
 * Janus's `hosts` (pkg/middleware/host_matcher.go): a Host header equal to
 * one of them, or matching one where `*` stands for one or more characters
 * (`*.partner.example`); case aside. Matched in time proportional to the
 * lengths, whatever the header: a pattern with several `*` tried as a
 * regular expression would backtrack for seconds on a hostile Host.
 */
export function hostMatcher(patterns: string[]): (host: string) => boolean {
  const lowered = patterns.map((pattern) => pattern.toLowerCase());
  return (host) => HOST.test(host) && lowered.some((pattern) => wildcardMatch(pattern, host.toLowerCase()));
}

/**
 * Glob matching with one backtracking point (the last `*`), so at most
 * pattern × text steps. `*` takes one character at once, then any more.
 */
function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = ++t; // one character at least
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  return p === pattern.length; // a * left over would need one character more: no match
}
