import { type ChatTurn } from './llm-provider';

/**
 * Anthropic and Bedrock reject a conversation that does not start with a user turn, whose roles do
 * not alternate, or that holds a blank text block, and Anthropic takes a final assistant turn as
 * the start of the answer to continue. Our history can break all of these: trimmed to its last
 * turns it may start with an answer, a question whose answer failed or was cancelled has no answer
 * after it, and a cancelled answer may be empty. So blank turns and leading answers are dropped,
 * consecutive turns of one role are merged rather than lost, and with `endWithUser` a trailing
 * answer is dropped too. Empty when no user turn is left.
 */
export function alternatingTurns(
  turns: ChatTurn[],
  { endWithUser }: { endWithUser: boolean },
): ChatTurn[] {
  const merged: ChatTurn[] = [];
  for (const { role, content } of turns) {
    if (content.trim() === '') continue;
    const previous = merged.at(-1);
    if (!previous && role === 'assistant') continue;
    if (previous?.role === role) previous.content += `\n\n${content}`;
    else merged.push({ role, content });
  }
  if (endWithUser && merged.at(-1)?.role === 'assistant') merged.pop();
  return merged;
}
