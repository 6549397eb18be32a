import { type ChatTurn, type LlmProvider } from '../../llm/llm-provider';
import { type Usage } from '@lorechat/contracts';

/** What retrieval searches for: the question, and what it is read with. */
export interface Condensed {
  /** The question to search for: the visitor's own, or a model's standalone rewrite of it. */
  query: string;
  /** Earlier questions whose words count at a lower weight (offline), or nothing. */
  context: string[];
  /** How the query was made. */
  method: 'first' | 'rewritten' | 'context';
  /** The rewrite's tokens, when a model wrote one. */
  usage?: Usage;
}

/** Earlier questions a follow-up is read with, newest last. */
const CONTEXT_TURNS = 2;
/** A standalone question longer than this is not a question: the model answered instead. */
const MAX_REWRITE_CHARS = 400;

export const CONDENSE_RULES = [
  'Rewrite the last question of this conversation as a standalone question that names what it is',
  'about, in the language of that question. Use only the conversation; add nothing else. Reply with',
  'the question alone: no answer, no explanation, no quotes. If it already stands alone, repeat it.',
].join('\n');

export interface CondenseOptions {
  /** The model that rewrites; undefined offline (no model configured). */
  llm?: LlmProvider;
  /** The rewrite's own deadline: past it the follow-up is searched with its context instead. */
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * The first step of an answer. A first question is searched as it is. A follow-up ("how much is
 * it?") leaves its topic in the conversation: with a model, a small call rewrites it as a
 * standalone question, under its own deadline; offline, or when that call fails, is too slow, or
 * was answered by the offline fallback, the question is searched with the earlier questions' words
 * at a lower weight.
 */
export async function condense(
  question: string,
  history: ChatTurn[],
  options: CondenseOptions,
): Promise<Condensed> {
  const earlier = history.filter((turn) => turn.role === 'user').map((turn) => turn.content);
  if (earlier.length === 0) return { query: question, context: [], method: 'first' };
  const withContext: Condensed = {
    query: question,
    context: earlier.slice(-CONTEXT_TURNS),
    method: 'context',
  };
  if (!options.llm) return withContext;
  const deadline = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const transcript = history
    .slice(-CONTEXT_TURNS * 2)
    .map((turn) => `${turn.role === 'user' ? 'Visitor' : 'Assistant'}: ${oneLine(turn.content)}`)
    .join('\n');
  const content = `${transcript}\nVisitor: ${oneLine(question)}\n\nStandalone question:`;
  let rewritten = '';
  let usage: Usage | undefined;
  try {
    const request = { system: CONDENSE_RULES, messages: [{ role: 'user' as const, content }] };
    for await (const event of options.llm.stream({ ...request, question, sources: [] }, deadline)) {
      if (event.type === 'token') rewritten += event.text;
      else {
        usage = event.usage;
        // The offline fallback "answers" any prompt by quoting: that is no rewrite.
        if (event.servedBy?.provider === 'extractive') return withContext;
      }
      if (rewritten.length > MAX_REWRITE_CHARS) return withContext;
    }
  } catch {
    // Too slow or failed: the follow-up is still searched, with its context.
    return withContext;
  }
  const query = oneLine(rewritten).replace(/^["'“]|["'”]$/g, '');
  if (!query || deadline.aborted) return withContext;
  return { query, context: [], method: 'rewritten', usage };
}

/** Long turns are cut: the rewrite needs the topic, not the whole answer. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
