/** Edits (insert, delete, replace, swap two neighbours) that turn one word into the other. */
function distance(a: string, b: string): number {
  const width = b.length + 1;
  const cells = Array.from({ length: (a.length + 1) * width }, (_, index) =>
    index < width ? index : index % width === 0 ? index / width : 0
  );
  const at = (i: number, j: number): number => cells[i * width + j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let edits = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        edits = Math.min(edits, at(i - 2, j - 2) + 1);
      cells[i * width + j] = edits;
    }
  }
  return at(a.length, b.length);
}

/**
 * "; did you mean accessToken?" for a mistyped key, when one known key is
 * close enough (case aside, at most two edits, fewer for short words);
 * nothing when none is, rather than a guess that misleads.
 */
export function didYouMean(typed: string, known: readonly string[]): string {
  const scored = known.map((name) => ({ name, edits: distance(typed.toLowerCase(), name.toLowerCase()) }));
  const best = scored.sort((x, y) => x.edits - y.edits)[0];
  const allowed = Math.min(2, Math.floor(typed.length / 3));
  return best && best.edits <= allowed ? `; did you mean ${best.name}?` : '';
}
