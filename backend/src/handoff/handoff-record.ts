import { type AskPage, type HandoffChannelName } from '@lorechat/contracts';

/** One exchange of the conversation, as sent to the site owner. */
export interface TranscriptTurn {
  question: string;
  answer: string;
}

/** A visitor's request to talk to a person, as kept until every channel has delivered it. */
export interface Handoff {
  id: string;
  siteKey: string;
  visitorId: string;
  conversationId?: string;
  /** Where the site owner replies. */
  email: string;
  message: string;
  page?: AskPage;
  locale?: string;
  /** The conversation so far, oldest first (what the server still remembered of it). */
  transcript: TranscriptTurn[];
  /** Epoch ms. */
  createdAt: number;
}

/** Where one channel stands with one handoff. */
export interface Delivery {
  channel: HandoffChannelName;
  /** Epoch ms; unset while it is still being tried. */
  deliveredAt?: number;
  /** Failed and successful tries so far. */
  attempts: number;
  /** Epoch ms of the next try, while undelivered. */
  nextAttemptAt?: number;
  /** Why the last try failed (never the channel's address or credentials). */
  lastError?: string;
}

export interface StoredHandoff extends Handoff {
  deliveries: Delivery[];
}

/** A delivery whose time has come, claimed by one task for a while. */
export interface DueDelivery {
  handoff: Handoff;
  channel: HandoffChannelName;
  /** Tries before this one. */
  attempts: number;
}

/** Turns a conversation's memory (alternating question and answer) into exchanges. */
export function transcriptOf(
  turns: readonly { role: string; content: string }[],
): TranscriptTurn[] {
  const transcript: TranscriptTurn[] = [];
  for (const turn of turns) {
    if (turn.role === 'user') transcript.push({ question: turn.content, answer: '' });
    else if (transcript.length > 0) (transcript.at(-1) as TranscriptTurn).answer = turn.content;
  }
  return transcript;
}
