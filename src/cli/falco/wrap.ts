/**
 * Word wrapping as Falco's wrap_text and libs' wrapstring do it (the same rule): each word
 * followed by one space; when the next word would pass `lineLen - indent` characters, a new
 * line indented by `indent` spaces.
 */
export function wrapText(text: string, indent: number, lineLen: number): string {
  let out = '';
  let used = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (used + word.length + 1 <= lineLen - indent) used += word.length + 1;
    else {
      out += '\n' + ' '.repeat(indent);
      used = word.length + 1;
    }
    out += word + ' ';
  }
  return out;
}
