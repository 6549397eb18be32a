import { type Locale, resolveLocale } from './i18n';

export type Theme = 'light' | 'dark' | 'auto';
export type Position = 'bottom-right' | 'bottom-left';

/** The widget's settings, read from the `data-*` attributes of its script tag. */
export interface WidgetOptions {
  siteKey: string;
  serverUrl: URL;
  title?: string;
  greeting?: string;
  /** Undefined: the corner where lines end (right, or left in right-to-left languages). */
  position?: Position;
  openOnLoad: boolean;
  locale: Locale;
  theme: Theme;
  accentColor?: string;
  suggestedQuestions: string[];
}

const THEMES: readonly Theme[] = ['light', 'dark', 'auto'];
const POSITIONS: readonly Position[] = ['bottom-right', 'bottom-left'];

/**
 * Reads the script tag's `data-*` attributes. A bad value is reported on the console and replaced
 * by its default: a typo in the snippet must not take the chat off the site.
 */
export function readOptions(
  data: Readonly<Record<string, string | undefined>>,
  scriptUrl: string,
  browserLanguages: readonly string[],
  warn: (message: string) => void,
): WidgetOptions {
  const text = (value: string | undefined) => value?.trim() || undefined;
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const value = text(data[name]);
    if (value === undefined || (allowed as readonly string[]).includes(value)) {
      return value as T | undefined;
    }
    warn(`ignoring data-${kebab(name)}="${value}": use ${allowed.join(', ')}`);
    return undefined;
  };

  const siteKey = text(data.siteKey) ?? '';
  if (!siteKey) warn('data-site-key is missing: the server may refuse the chat');

  const scriptOrigin = new URL(scriptUrl).origin;
  let serverUrl = new URL(scriptOrigin);
  const serverUrlValue = text(data.serverUrl);
  if (serverUrlValue) {
    try {
      serverUrl = new URL(serverUrlValue, scriptUrl);
      if (!/^https?:$/.test(serverUrl.protocol)) throw new TypeError('not http(s)');
    } catch {
      warn(`ignoring data-server-url="${serverUrlValue}": use an http(s) URL`);
      serverUrl = new URL(scriptOrigin);
    }
  }

  const openValue = data.open?.trim().toLowerCase();
  return {
    siteKey,
    serverUrl,
    title: text(data.title),
    greeting: text(data.greeting),
    position: oneOf('position', POSITIONS),
    openOnLoad: openValue !== undefined && openValue !== 'false',
    locale: resolveLocale(text(data.locale), browserLanguages),
    theme: oneOf('theme', THEMES) ?? 'auto',
    accentColor: text(data.accentColor),
    suggestedQuestions: (data.suggestedQuestions ?? '')
      .split('|')
      .map((question) => question.trim())
      .filter(Boolean),
  };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
