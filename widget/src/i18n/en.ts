/**
 * English, the reference locale: every other locale must provide exactly these keys. Placeholders in
 * braces ({n}, {title}) are filled in by `format`.
 */
import { type Messages } from './messages';

export const en: Messages = {
  title: 'Ask a question',
  greeting: 'Hi! Ask me anything about this site.',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  conversation: 'Conversation',
  you: 'You',
  assistant: 'Assistant',
  question: 'Your question',
  placeholder: 'Ask a question…',
  send: 'Send',
  stop: 'Stop generating',
  thinking: 'Thinking…',
  stopped: 'Stopped.',
  retry: 'Retry',
  copy: 'Copy answer',
  copied: 'Copied',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  comment: 'Tell us more (optional)',
  sendComment: 'Send comment',
  thanks: 'Thanks for your feedback!',
  feedbackFailed: 'Your feedback could not be sent.',
  sources: 'Sources',
  citation: 'Source {n}: {title}',
  suggestions: 'Suggested questions',
  offline: 'You are offline. Reconnecting…',
  queued: 'Waiting for the connection…',
  disclaimer: 'AI answers can be wrong. Check the sources.',
  errors: {
    bad_request: 'This question could not be sent.',
    too_large: 'This question is too long. Please shorten it.',
    rate_limited: 'Too many questions at once. Wait a moment, then retry.',
    daily_limit_reached: "Today's limit of answers is reached. Please retry later.",
    unauthorized: 'This chat isn’t set up for this site.',
    conversation_not_found: 'This conversation has expired. Please retry.',
    provider_unavailable: 'The assistant is not available right now. Please retry later.',
    internal: 'Something went wrong. Please retry.',
    connection_lost: 'The connection was lost before the answer was complete.',
  },
};
