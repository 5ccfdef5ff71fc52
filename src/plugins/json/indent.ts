/**
 * Go's json.Indent(prefix "", indent "  ") over JSON text, for json.obj: the tokens are kept as
 * written (numbers, string escapes), only the whitespace between them changes; an empty object
 * or array stays `{}` / `[]`. Leading whitespace is dropped and trailing whitespace kept, as Go
 * does. The text must be valid JSON (the caller has parsed it).
 */
export function indentJson(text: string, indent = '  '): string {
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isSpace(text.charCodeAt(end - 1))) end--;
  const out: string[] = [];
  let depth = 0;
  // an opening bracket's newline waits for its first member, so `{}` stays compact
  let pendingOpen = false;
  const newline = (d: number): void => {
    out.push('\n' + indent.repeat(d));
  };
  while (i < end) {
    const c = text[i];
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    if (pendingOpen && c !== '}' && c !== ']') {
      newline(depth);
      pendingOpen = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < end && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out.push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        out.push(c);
        depth++;
        pendingOpen = true;
        break;
      case '}':
      case ']':
        depth--;
        if (pendingOpen) pendingOpen = false;
        else newline(depth);
        out.push(c);
        break;
      case ',':
        out.push(',');
        newline(depth);
        break;
      case ':':
        out.push(': ');
        break;
      default: {
        // a number or a literal: up to the next delimiter
        let j = i;
        while (j < end && !isSpace(text.charCodeAt(j)) && !',:]}'.includes(text[j])) j++;
        out.push(text.slice(i, j));
        i = j;
        continue;
      }
    }
    i++;
  }
  return out.join('') + text.slice(end);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
