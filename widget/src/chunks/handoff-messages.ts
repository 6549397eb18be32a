import { type Locale } from '../i18n';

export interface HandoffMessages {
  /** Under an answer that found nothing, or a question asking for a person. */
  offer: string;
  talkToPerson: string;
  email: string;
  message: string;
  send: string;
  cancel: string;
  /** {email} is the visitor's address. */
  sent: string;
  /** No acknowledgement came: the visitor's text is still in the form. */
  failed: string;
  tooMany: string;
  /** Matches a question that asks for a person, in this language. */
  asksForPerson: RegExp;
}

export const HANDOFF_MESSAGES: Record<Locale, HandoffMessages> = {
  en: {
    offer: 'Would you like to ask a person instead?',
    talkToPerson: 'Talk to a person',
    email: 'Your e-mail',
    message: 'Your message',
    send: 'Send to the team',
    cancel: 'Cancel',
    sent: 'Sent. The team will reply to {email}.',
    failed: 'Your message could not be sent. Check your connection and try again.',
    tooMany: 'You have sent several messages already. Please try again later.',
    asksForPerson:
      /\b(human|person|agent|representative|someone|somebody|support team|real people)\b/i,
  },
  fr: {
    offer: 'Voulez-vous plutôt poser la question à une personne ?',
    talkToPerson: 'Parler à une personne',
    email: 'Votre e-mail',
    message: 'Votre message',
    send: 'Envoyer à l’équipe',
    cancel: 'Annuler',
    sent: 'Envoyé. L’équipe répondra à {email}.',
    failed: 'Votre message n’a pas pu être envoyé. Vérifiez votre connexion et réessayez.',
    tooMany: 'Vous avez déjà envoyé plusieurs messages. Réessayez plus tard.',
    asksForPerson: /\b(humain|personne|conseiller|quelqu’un|quelqu'un|agent)\b/i,
  },
  de: {
    offer: 'Möchten Sie stattdessen einen Menschen fragen?',
    talkToPerson: 'Mit einem Menschen sprechen',
    email: 'Ihre E-Mail-Adresse',
    message: 'Ihre Nachricht',
    send: 'An das Team senden',
    cancel: 'Abbrechen',
    sent: 'Gesendet. Das Team antwortet an {email}.',
    failed:
      'Ihre Nachricht konnte nicht gesendet werden. Prüfen Sie die Verbindung und versuchen Sie es erneut.',
    tooMany: 'Sie haben schon mehrere Nachrichten gesendet. Bitte versuchen Sie es später.',
    asksForPerson: /\b(mensch|menschen|mitarbeiter\w*|person|jemand\w*|berater\w*)\b/i,
  },
  es: {
    offer: '¿Prefieres preguntar a una persona?',
    talkToPerson: 'Hablar con una persona',
    email: 'Tu correo electrónico',
    message: 'Tu mensaje',
    send: 'Enviar al equipo',
    cancel: 'Cancelar',
    sent: 'Enviado. El equipo responderá a {email}.',
    failed: 'No se pudo enviar tu mensaje. Revisa tu conexión e inténtalo de nuevo.',
    tooMany: 'Ya has enviado varios mensajes. Inténtalo más tarde.',
    asksForPerson: /\b(humano|persona|agente|alguien|asesor)\b/i,
  },
  ar: {
    offer: 'هل تفضّل أن تسأل شخصًا؟',
    talkToPerson: 'التحدث إلى شخص',
    email: 'بريدك الإلكتروني',
    message: 'رسالتك',
    send: 'أرسل إلى الفريق',
    cancel: 'إلغاء',
    sent: 'تم الإرسال. سيردّ الفريق على {email}.',
    failed: 'تعذّر إرسال رسالتك. تحقّق من اتصالك وحاول مرة أخرى.',
    tooMany: 'لقد أرسلت عدة رسائل بالفعل. حاول لاحقًا.',
    asksForPerson: /(إنسان|شخص|موظف|أحد)/,
  },
};
