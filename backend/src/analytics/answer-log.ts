import { type Source, type Usage } from '@lorechat/contracts';
import { type AnswerOutcome, type LoggedPage, type Rating } from './log-record';

/** One answer, however it ended, as the chat path reports it (once, when it is over). */
export interface FinishedAnswer {
  conversationId: string;
  messageId: string;
  visitorId: string;
  siteKey: string;
  /** Epoch ms when the question was accepted. */
  askedAt: number;
  question: string;
  /** The text streamed to the visitor (part of it for a cancelled or failed answer). */
  answer: string;
  /** The sources sent with the answer, numbered as cited. */
  sources: Source[];
  /** How it ended, when the answer path knows; otherwise derived from the answer's citations. */
  outcome?: AnswerOutcome;
  cancelled: boolean;
  /** The error code sent to the visitor, when the answer failed. */
  errorCode?: string;
  page?: LoggedPage;
  locale?: string;
  provider: string;
  model: string;
  usage: Usage;
  firstTokenMs?: number;
  totalMs: number;
  /** Replayed from the response cache. */
  cached: boolean;
}

export interface GivenFeedback {
  messageId: string;
  conversationId: string;
  visitorId: string;
  rating: Rating;
  comment?: string;
}

/**
 * The chat path's one hook into the conversation log: called once per finished answer and once
 * per rating. Implementations return at once and never throw — storing happens later, off the
 * answer's path, and a log that cannot store never fails an answer.
 */
export abstract class AnswerLog {
  abstract answerFinished(answer: FinishedAnswer): void;
  abstract feedbackGiven(feedback: GivenFeedback): void;
}

/** `ANALYTICS_ENABLED=false`: nothing is kept. */
export class DisabledAnswerLog extends AnswerLog {
  answerFinished(): void {}
  feedbackGiven(): void {}
}
