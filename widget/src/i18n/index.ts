export { type Messages } from './messages';

/**
 * The languages the widget speaks. English is in the core bundle; each other catalogue is a chunk,
 * `widget-locale-<locale>.js`, loaded before the widget shows on a page in that language, so the
 * core carries no language a page does not use.
 */
export const LOCALES = ['en', 'fr', 'de', 'es', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set(['ar']);

/**
 * The first supported language among the site owner's choice and the visitor's browser languages,
 * by primary subtag ("fr-CA" → fr), falling back to English.
 */
export function resolveLocale(
  requested: string | undefined,
  browserLanguages: readonly string[],
): Locale {
  for (const tag of [requested, ...browserLanguages]) {
    const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
    if (LOCALES.includes(language as Locale)) return language as Locale;
  }
  return 'en';
}

export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(locale) ? 'rtl' : 'ltr';
}

/** Fills `{name}` placeholders; an unknown placeholder is left as written. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : placeholder,
  );
}
