/**
 * JSON.parse keeps the last of two equal keys without a word; log lines must not have them. This walks
 * the raw text and lists every key that an object repeats.
 */
export function duplicateKeys(text: string): string[] {
  let i = 0;
  const duplicates: string[] = [];
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      space();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        space();
        const key = string();
        if (seen.has(key)) duplicates.push(`${path}${key}`);
        seen.add(key);
        space();
        i++; // colon
        value(`${path}${key}.`);
        space();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      space();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}${n}.`);
        space();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  JSON.parse(text); // throws on anything that is not JSON
  value("");
  return duplicates;
}
