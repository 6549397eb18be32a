/** A Markdown link's text is content; its address (`https`, the host, the path) is not. */
export function withoutLinkTargets(markdown: string): string {
  return markdown.replace(/\]\((?:[^()\s]|\([^()\s]*\))+\)/g, ']');
}
