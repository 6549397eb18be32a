import { type FailureCode } from '../conversation';

/** Every text the widget shows or announces. Each locale file provides all of them. */
export interface Messages {
  /** Default panel title and launcher tooltip, replaced by `data-title`. */
  title: string;
  /** Default first message, replaced by `data-greeting`. */
  greeting: string;
  openChat: string;
  closeChat: string;
  /** Accessible name of the scrollable message list. */
  conversation: string;
  /** Speaker names, read by screen readers before each message. */
  you: string;
  assistant: string;
  /** Accessible name of the question field. */
  question: string;
  placeholder: string;
  send: string;
  stop: string;
  /** Shown while waiting for the first words of an answer. */
  thinking: string;
  /** Shown under an answer the visitor stopped. */
  stopped: string;
  retry: string;
  copy: string;
  copied: string;
  helpful: string;
  notHelpful: string;
  /** Label of the optional comment field that follows a rating. */
  comment: string;
  sendComment: string;
  thanks: string;
  feedbackFailed: string;
  sources: string;
  /** Accessible name of a citation link; {n} is its number, {title} the source's title. */
  citation: string;
  suggestions: string;
  offline: string;
  /** Under a question typed while offline, until it is sent. */
  queued: string;
  disclaimer: string;
  /** What the visitor reads when an answer fails, by the protocol's error code. */
  errors: Record<FailureCode, string>;
}
