// Text for places Teams renders as markdown (TextBlock, FactSet, checkbox and radio labels). Any
// value that came from data is escaped so it shows literally: a concern typed as
// "[Sign in](https://evil.example) **URGENT**" must read exactly so, not become a link and bold
// text in someone else's card. CommonMark backslash escapes (markdown-it, Teams desktop and web)
// keep every character: "a\*b" shows as a*b. Only characters that can open markup are escaped, so
// a client that shows the text raw shows few backslashes.

/** Characters that open inline markup anywhere: emphasis, code, strikethrough, links and images, HTML and mentions, entities, tables. */
const INLINE = /[\\`*_~[\]<>&|]/g;
/** At the start of a line (after indentation): headings, lists, setext underlines, numbered lists (quotes: `>` is escaped everywhere). */
const LINE_START = /^([ \t]*)(?:([#+\-=])|(\d+)([.)]))/;

/** Text without any character escapeMarkdown acts on (most names, dates and numbers): left as it is. */
const PLAIN = /^[^\\`*_~[\]<>&|#+\-=.)]*$/;

export function escapeMarkdown(text: string): string {
  if (PLAIN.test(text)) return text;
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part, i) => {
      if (i % 2 === 1) return part; // a line break
      const inline = part.replace(INLINE, "\\$&");
      return inline.replace(LINE_START, (_m, indent: string, mark?: string, digits?: string, dot?: string) =>
        mark ? `${indent}\\${mark}` : `${indent}${digits}\\${dot}`,
      );
    })
    .join("");
}

/** Characters a CommonMark backslash escapes. */
const ESCAPED = /\\([!-/:-@[-`{-~])/g;

/** What a markdown renderer shows for text escaped by escapeMarkdown (tests read cards with it). */
export function unescapeMarkdown(markdown: string): string {
  return markdown.replace(ESCAPED, "$1");
}
