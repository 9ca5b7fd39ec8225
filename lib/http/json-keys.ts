/**
 * The keys of a flat JSON object of strings, as written, repeats included:
 * JSON.parse keeps the last of a repeated key, where a form with a repeated
 * parameter is refused (RFC 6749 §3.1), and a proxy in front may read the
 * first. Only for a text JSON.parse has already read as such an object.
 */
export function writtenKeys(json: string): string[] {
  const keys: string[] = [];
  let at = json.indexOf('{') + 1;
  const skipSpace = () => {
    while (/\s/.test(json[at] ?? '')) at++;
  };
  const stringLiteral = (): string => {
    const start = at;
    at++; // the opening quote
    while (json[at] !== '"') at += json[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(json.slice(start, at)) as string;
  };
  skipSpace();
  while (json[at] === '"') {
    keys.push(stringLiteral());
    skipSpace();
    at++; // the colon
    skipSpace();
    stringLiteral();
    skipSpace();
    if (json[at] === ',') at++;
    skipSpace();
  }
  return keys;
}
