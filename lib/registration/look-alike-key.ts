/**
 * What two application names share when a user would read them as the same
 * name: Unicode compatibility forms folded (NFKC: full-width letters,
 * ligatures, no-break and ideographic spaces), invisible format characters
 * dropped (zero-width spaces and joiners, bidirectional marks), case folded
 * (`ß` as `ss`), runs of white space made one space, and the ends trimmed.
 * Letters of other scripts that merely look alike (Cyrillic `а`) are not
 * folded: that needs the confusables table of Unicode TR 39.
 */
export function lookAlikeKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim();
}
