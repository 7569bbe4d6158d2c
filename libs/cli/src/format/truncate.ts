// docker's stringid.TruncateID: 12 hex digits, without the algorithm prefix.
export function shortId(id: string): string {
  const hex = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return hex.slice(0, 12);
}

// docker's formatter.Ellipsis: at most maxWidth characters, the last one an ellipsis.
export function ellipsis(text: string, maxWidth: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxWidth) return text;
  if (maxWidth <= 0) return '';
  return `${chars.slice(0, maxWidth - 1).join('')}…`;
}

// Go's strconv.Quote, for the characters commands really contain.
export function goQuote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
