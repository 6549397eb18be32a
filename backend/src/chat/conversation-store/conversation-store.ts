import { type ChatTurn } from '../../llm/llm-provider';

export interface Exchange {
  messageId: string;
  question: string;
  answer: string;
}

/** Who a conversation belongs to: one visitor of one site. */
export interface ConversationOwner {
  siteKey: string;
  visitorId: string;
}

/** The owner as one string, comparable and storable; JSON, so no site key or id can forge it. */
export function ownerKey(owner: ConversationOwner): string {
  return JSON.stringify([owner.siteKey, owner.visitorId]);
}

/**
 * The DI token for conversation memory. A conversation belongs to the visitor who started it:
 * to anyone else its id, and the ids of its answers, are unknown. An exchange (question plus
 * answer) is appended once, when the answer has finished, so a retried or failed answer never
 * leaves a duplicate turn.
 */
export abstract class ConversationStore {
  /**
   * Starts a conversation for `owner`. Past their `maxPerVisitor` live conversations, their
   * oldest is forgotten: one visitor can never crowd out another's.
   */
  abstract create(owner: ConversationOwner): Promise<string>;
  /** The conversation's turns, oldest first, or undefined when unknown, expired or not `owner`'s. */
  abstract history(
    conversationId: string,
    owner: ConversationOwner,
  ): Promise<ChatTurn[] | undefined>;
  /** Adds a finished exchange to a conversation `history` has just returned for `owner`. */
  abstract append(
    conversationId: string,
    owner: ConversationOwner,
    exchange: Exchange,
  ): Promise<void>;
  /** The conversation an answer belongs to, while that conversation is remembered and `owner`'s. */
  abstract conversationOf(messageId: string, owner: ConversationOwner): Promise<string | undefined>;
}
