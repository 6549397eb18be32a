import { type ChatTurn } from '../../llm/llm-provider';

export interface Exchange {
  messageId: string;
  question: string;
  answer: string;
}

/**
 * The DI token for conversation memory. An exchange (question plus answer) is appended once, when
 * the answer has finished, so a retried or failed answer never leaves a duplicate turn.
 */
export abstract class ConversationStore {
  abstract create(): Promise<string>;
  /** The conversation's turns, oldest first, or undefined when the id is unknown or expired. */
  abstract history(conversationId: string): Promise<ChatTurn[] | undefined>;
  abstract append(conversationId: string, exchange: Exchange): Promise<void>;
  /** The conversation an answer belongs to, while that conversation is remembered. */
  abstract conversationOf(messageId: string): Promise<string | undefined>;
}
