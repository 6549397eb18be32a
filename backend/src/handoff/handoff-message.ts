import { type Handoff } from './handoff-record';

/** Past this, an answer is cut in the readable text; the webhook's JSON keeps it whole. */
const ANSWER_PREVIEW_CHARS = 1500;

function preview(text: string, limit = ANSWER_PREVIEW_CHARS): string {
  return text.length > limit ? `${text.slice(0, limit).trimEnd()}…` : text;
}

/** The e-mail's subject: which site, and that a person is wanted. */
export function emailSubject(handoff: Handoff): string {
  return `A visitor of ${handoff.siteKey} asks to talk to a person`;
}

/** The e-mail's plain-text body; the e-mail's Reply-To is the visitor. */
export function emailText(handoff: Handoff): string {
  const lines = [
    `A visitor asks to talk to a person. Reply to this e-mail to answer them at ${handoff.email}.`,
    '',
    'Their message:',
    handoff.message,
    '',
    `Site: ${handoff.siteKey}`,
    ...(handoff.page
      ? [
          `Page: ${handoff.page.title ? `${handoff.page.title} <${handoff.page.url}>` : handoff.page.url}`,
        ]
      : []),
    `Sent: ${new Date(handoff.createdAt).toISOString()}`,
    ...(handoff.locale ? [`Language: ${handoff.locale}`] : []),
    '',
  ];
  if (handoff.transcript.length === 0) {
    lines.push('They had not asked the assistant anything yet.');
  } else {
    lines.push('Their conversation with the assistant:');
    for (const turn of handoff.transcript) {
      lines.push('', `Visitor: ${turn.question}`, `Assistant: ${preview(turn.answer)}`);
    }
  }
  lines.push('', `Handoff ${handoff.id}`);
  return lines.join('\n');
}

/**
 * Slack's mrkdwn gives `&`, `<` and `>` a meaning (links, @channel mentions): escaped in whatever
 * the visitor or the assistant wrote, so a message cannot ping a channel or disguise a link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link in mrkdwn; the URL's own `<`, `>` and `|` would end the link early. */
function link(url: string, label: string): string {
  const safeUrl = url.replace(/[<>|]/g, (character) => encodeURIComponent(character));
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Quoted lines in mrkdwn. */
function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${escapeMrkdwn(line)}`)
    .join('\n');
}

/** The webhook's `text`: what a Slack incoming webhook shows, in Slack's mrkdwn. */
export function slackText(handoff: Handoff): string {
  const lines = [
    `*A visitor of ${escapeMrkdwn(handoff.siteKey)} asks to talk to a person*`,
    `*Reply to:* ${link(`mailto:${handoff.email}`, handoff.email)}`,
    ...(handoff.page
      ? [`*Page:* ${link(handoff.page.url, handoff.page.title || handoff.page.url)}`]
      : []),
    '*Message:*',
    quote(handoff.message),
  ];
  if (handoff.transcript.length > 0) {
    lines.push('*Conversation:*');
    for (const turn of handoff.transcript) {
      lines.push(
        `*Visitor:* ${escapeMrkdwn(turn.question)}`,
        `*Assistant:* ${escapeMrkdwn(preview(turn.answer, 600))}`,
      );
    }
  }
  return lines.join('\n');
}

/** What the webhook receives: Slack's `text`, and the handoff itself for any other receiver. */
export interface WebhookBody {
  text: string;
  handoff: {
    id: string;
    siteKey: string;
    email: string;
    message: string;
    page: { url: string; title?: string } | null;
    locale: string | null;
    conversationId: string | null;
    /** ISO 8601. */
    createdAt: string;
    transcript: { question: string; answer: string }[];
  };
}

export function webhookBody(handoff: Handoff): WebhookBody {
  return {
    text: slackText(handoff),
    handoff: {
      id: handoff.id,
      siteKey: handoff.siteKey,
      email: handoff.email,
      message: handoff.message,
      page: handoff.page ?? null,
      locale: handoff.locale ?? null,
      conversationId: handoff.conversationId ?? null,
      createdAt: new Date(handoff.createdAt).toISOString(),
      transcript: handoff.transcript,
    },
  };
}
