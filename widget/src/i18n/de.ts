import { type Messages } from './messages';

/** Loaded as its own chunk (widget-locale-de.js) before the widget shows, on pages in this language. */
const de: Messages = {
  title: 'Stellen Sie eine Frage',
  greeting: 'Hallo! Fragen Sie mich alles über diese Website.',
  openChat: 'Chat öffnen',
  closeChat: 'Chat schließen',
  conversation: 'Unterhaltung',
  you: 'Sie',
  assistant: 'Assistent',
  question: 'Ihre Frage',
  placeholder: 'Stellen Sie eine Frage…',
  send: 'Senden',
  stop: 'Antwort stoppen',
  thinking: 'Denkt nach…',
  stopped: 'Gestoppt.',
  retry: 'Erneut versuchen',
  copy: 'Antwort kopieren',
  copied: 'Kopiert',
  helpful: 'Hilfreich',
  notHelpful: 'Nicht hilfreich',
  comment: 'Erzählen Sie uns mehr (optional)',
  sendComment: 'Kommentar senden',
  thanks: 'Danke für Ihr Feedback!',
  feedbackFailed: 'Ihr Feedback konnte nicht gesendet werden.',
  sources: 'Quellen',
  citation: 'Quelle {n}: {title}',
  suggestions: 'Vorgeschlagene Fragen',
  offline: 'Sie sind offline. Verbindung wird wiederhergestellt…',
  queued: 'Warte auf die Verbindung…',
  disclaimer: 'KI-Antworten können falsch sein. Prüfen Sie die Quellen.',
  errors: {
    bad_request: 'Diese Frage konnte nicht gesendet werden.',
    too_large: 'Diese Frage ist zu lang. Bitte kürzen Sie sie.',
    rate_limited: 'Zu viele Fragen auf einmal. Warten Sie kurz und versuchen Sie es erneut.',
    daily_limit_reached:
      'Das Tageslimit für Antworten ist erreicht. Bitte später erneut versuchen.',
    unauthorized: 'Dieser Chat ist für diese Website nicht eingerichtet.',
    conversation_not_found: 'Diese Unterhaltung ist abgelaufen. Bitte erneut versuchen.',
    provider_unavailable:
      'Der Assistent ist gerade nicht verfügbar. Bitte versuchen Sie es später erneut.',
    internal: 'Etwas ist schiefgelaufen. Bitte erneut versuchen.',
    connection_lost: 'Die Verbindung brach ab, bevor die Antwort vollständig war.',
  },
};

export default de;
