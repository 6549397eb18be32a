import { type Locale } from '../i18n';

export interface VoiceMessages {
  /** The microphone button, idle and while listening. */
  speak: string;
  stopListening: string;
  /** Announced when listening starts. */
  listening: string;
  /** When the browser or the visitor refused the microphone. */
  microphoneBlocked: string;
  readAloud: string;
  stopReading: string;
}

export const VOICE_MESSAGES: Record<Locale, VoiceMessages> = {
  en: {
    speak: 'Ask by voice',
    stopListening: 'Stop listening',
    listening: 'Listening…',
    microphoneBlocked: 'The microphone is not available. Check the browser’s permission for it.',
    readAloud: 'Read aloud',
    stopReading: 'Stop reading',
  },
  fr: {
    speak: 'Poser la question à voix haute',
    stopListening: 'Arrêter l’écoute',
    listening: 'À l’écoute…',
    microphoneBlocked:
      'Le micro n’est pas disponible. Vérifiez l’autorisation du navigateur pour le micro.',
    readAloud: 'Lire à voix haute',
    stopReading: 'Arrêter la lecture',
  },
  de: {
    speak: 'Per Sprache fragen',
    stopListening: 'Zuhören beenden',
    listening: 'Ich höre zu …',
    microphoneBlocked: 'Das Mikrofon ist nicht verfügbar. Prüfen Sie die Berechtigung im Browser.',
    readAloud: 'Vorlesen',
    stopReading: 'Vorlesen beenden',
  },
  es: {
    speak: 'Preguntar por voz',
    stopListening: 'Dejar de escuchar',
    listening: 'Escuchando…',
    microphoneBlocked:
      'El micrófono no está disponible. Revisa el permiso del navegador para usarlo.',
    readAloud: 'Leer en voz alta',
    stopReading: 'Dejar de leer',
  },
  ar: {
    speak: 'اسأل بالصوت',
    stopListening: 'إيقاف الاستماع',
    listening: 'جارٍ الاستماع…',
    microphoneBlocked: 'الميكروفون غير متاح. تحقّق من إذن المتصفح لاستخدامه.',
    readAloud: 'القراءة بصوت عالٍ',
    stopReading: 'إيقاف القراءة',
  },
};
