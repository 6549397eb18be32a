/**
 * Voice, loaded the first time the panel opens (`widget-voice.js`): a microphone button that fills
 * the question field with what the visitor says, where the browser has speech recognition (hidden
 * where it has none), and a "read aloud" button on each answer, where it has speech synthesis.
 */
import { type WidgetExtension } from '../extension';
import { guard } from '../guard';
import { h, listen } from '../ui/dom';
import { adoptStyles, pathIcon } from './chunk-dom';
import styles from './voice.css';
import { VOICE_MESSAGES, type VoiceMessages } from './voice-messages';

/** The part of the Web Speech API's SpeechRecognition the widget uses. */
interface Recognition {
  lang: string;
  interimResults: boolean;
  continuous: boolean;
  onresult: ((event: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null;
  onerror: ((event: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}

type RecognitionConstructor = new () => Recognition;

declare global {
  interface Window {
    SpeechRecognition?: RecognitionConstructor;
    webkitSpeechRecognition?: RecognitionConstructor;
  }
}

const MICROPHONE_ICON =
  'M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zM5 11a7 7 0 0 0 14 0M12 18v3';
const SPEAKER_ICON = 'M4 9h4l5-4v14l-5-4H4zM16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12';

export default function setUpVoice({ root, locale }: WidgetExtension): void {
  const messages = VOICE_MESSAGES[locale];
  const Recognition = window.SpeechRecognition ?? window.webkitSpeechRecognition;
  const speech = 'speechSynthesis' in window ? window.speechSynthesis : undefined;
  if (!Recognition && !speech) return;
  adoptStyles(root, styles);
  if (Recognition) addMicrophone(root, locale, messages, Recognition);
  if (speech) addReadAloud(root, locale, messages, speech);
}

function addMicrophone(
  root: ShadowRoot,
  locale: string,
  messages: VoiceMessages,
  Recognition: RecognitionConstructor,
): void {
  const composer = root.querySelector('.composer');
  const input = composer?.querySelector('textarea');
  if (!composer || !input) return;
  const note = h('p', { class: 'note voice-note', role: 'status' });
  note.hidden = true;
  composer.before(note);
  const button = h(
    'button',
    { type: 'button', class: 'icon-button microphone', 'aria-pressed': 'false' },
    pathIcon(MICROPHONE_ICON),
  );
  const label = (text: string) => {
    button.setAttribute('aria-label', text);
    button.title = text;
  };
  label(messages.speak);
  composer.querySelector('.send')?.before(button);

  let recognition: Recognition | undefined;
  const stop = () => recognition?.stop();
  const start = () => {
    const current = new Recognition();
    recognition = current;
    current.lang = locale;
    current.interimResults = true;
    current.continuous = false;
    // What the visitor had typed stays; what they say is added after it.
    const typed = input.value.trim();
    current.onresult = guard((event) => {
      const said = Array.from(event.results, (result) => result[0]?.transcript ?? '').join('');
      input.value = [typed, said.trim()].filter(Boolean).join(' ');
      // The core grows the field with its text on `input`.
      input.dispatchEvent(new Event('input'));
    });
    current.onerror = guard(({ error }) => {
      if (error === 'not-allowed' || error === 'service-not-allowed' || error === 'audio-capture') {
        note.textContent = messages.microphoneBlocked;
        note.hidden = false;
      }
    });
    current.onend = guard(() => {
      if (recognition !== current) return;
      recognition = undefined;
      button.setAttribute('aria-pressed', 'false');
      label(messages.speak);
      if (note.textContent === messages.listening) note.hidden = true;
      input.focus();
    });
    note.textContent = messages.listening;
    note.hidden = false;
    button.setAttribute('aria-pressed', 'true');
    label(messages.stopListening);
    current.start();
  };
  listen(button, 'click', () => (recognition ? stop() : start()));
  // Escape stops listening first; a second Escape closes the panel as usual.
  listen(button, 'keydown', (event) => {
    if (event.key === 'Escape' && recognition) {
      event.stopPropagation();
      stop();
    }
  });
  // The panel closing (or the widget going away) ends listening.
  new MutationObserver(
    guard(() => {
      if (!composer.isConnected || composer.closest('.panel')?.hasAttribute('hidden')) stop();
    }),
  ).observe(root, { attributes: true, attributeFilter: ['hidden'], subtree: true });
}

function addReadAloud(
  root: ShadowRoot,
  locale: string,
  messages: VoiceMessages,
  speech: SpeechSynthesis,
): void {
  const turns = root.querySelector('.turns');
  if (!turns) return;
  let speaking: HTMLButtonElement | undefined;
  const setPressed = (button: HTMLButtonElement, pressed: boolean) => {
    const text = pressed ? messages.stopReading : messages.readAloud;
    button.setAttribute('aria-pressed', String(pressed));
    button.setAttribute('aria-label', text);
    button.title = text;
  };
  const read = (button: HTMLButtonElement) => {
    const wasSpeaking = speaking === button;
    if (speaking) setPressed(speaking, false);
    speaking = undefined;
    speech.cancel();
    if (wasSpeaking) return;
    const body = button.closest('.answer')?.querySelector('.body');
    const text = body?.textContent?.trim();
    if (!text) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = locale;
    utterance.onend = guard(() => {
      if (speaking !== button) return;
      setPressed(button, false);
      speaking = undefined;
    });
    speaking = button;
    setPressed(button, true);
    speech.speak(utterance);
  };
  /** An answer's actions appear once it has ended: each gets a button of its own. */
  const addButtons = () => {
    for (const actions of turns.querySelectorAll('.actions')) {
      if (actions.querySelector('.read-aloud')) continue;
      const button = h(
        'button',
        { type: 'button', class: 'icon-button read-aloud' },
        pathIcon(SPEAKER_ICON),
      );
      setPressed(button, false);
      listen(button, 'click', () => read(button));
      // First in the row: the rating buttons stay next to the comment field they open.
      actions.prepend(button);
    }
  };
  addButtons();
  new MutationObserver(guard(addButtons)).observe(turns, { childList: true, subtree: true });
}
