/**
 * A rough token count (about four characters per token for English) for answerers and servers that
 * report no usage. Good enough for cost estimates; never used to cut text.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
