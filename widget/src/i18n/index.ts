import { ar } from './ar';
import { de } from './de';
import { en } from './en';
import { es } from './es';
import { fr } from './fr';
import { type Messages } from './messages';

export { type Messages } from './messages';

export const CATALOGS = { en, fr, de, es, ar } satisfies Record<string, Messages>;
export type Locale = keyof typeof CATALOGS;

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
    if (language && Object.hasOwn(CATALOGS, language)) return language as Locale;
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
