import {
  directionOf,
  format,
  type Locale,
  LOCALES,
  type Messages,
  resolveLocale,
} from '../src/i18n';
import ar from '../src/i18n/ar';
import de from '../src/i18n/de';
import { en } from '../src/i18n/en';
import es from '../src/i18n/es';
import fr from '../src/i18n/fr';

/** Each language's catalogue: English in the core, the others as the chunks they are built into. */
const CATALOGS: Record<Locale, Messages> = { en, fr, de, es, ar };

/** Every string of a catalogue, errors included, by dotted key. */
function strings(catalogue: object, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') entries.set(prefix + key, value);
    else for (const entry of strings(value as object, `${key}.`)) entries.set(...entry);
  }
  return entries;
}

const placeholders = (text: string) => [...text.matchAll(/\{\w+\}/g)].map(([name]) => name).sort();

describe('locale catalogues', () => {
  const reference = strings(en);

  it('ship English, French, German, Spanish and Arabic', () => {
    expect([...LOCALES].sort()).toEqual(['ar', 'de', 'en', 'es', 'fr']);
  });

  it.each(LOCALES)('%s has every key, each translated with the same placeholders', (locale) => {
    const catalogue = strings(CATALOGS[locale]);
    expect([...catalogue.keys()].sort()).toEqual([...reference.keys()].sort());
    for (const [key, text] of catalogue) {
      expect(text.trim()).not.toBe('');
      expect([key, placeholders(text)]).toEqual([key, placeholders(reference.get(key) ?? '')]);
    }
  });

  it('translates the texts that differ between languages', () => {
    for (const locale of ['fr', 'de', 'es', 'ar'] as const) {
      expect(CATALOGS[locale].send).not.toBe(en.send);
      expect(CATALOGS[locale].errors.connection_lost).not.toBe(en.errors.connection_lost);
    }
  });
});

describe('resolveLocale', () => {
  it('prefers the site owner’s data-locale, by primary language', () => {
    expect(resolveLocale('fr-CA', ['de-DE'])).toBe('fr');
    expect(resolveLocale(' AR ', [])).toBe('ar');
    expect(resolveLocale('es_MX', [])).toBe('es');
  });

  it('falls back to the first supported browser language, then English', () => {
    expect(resolveLocale(undefined, ['ja-JP', 'de-AT', 'fr'])).toBe('de');
    expect(resolveLocale('xx', ['pt-BR'])).toBe('en');
    expect(resolveLocale('', [])).toBe('en');
  });

  it('is not fooled by inherited object keys', () => {
    expect(resolveLocale('constructor', ['__proto__', 'toString'])).toBe('en');
  });
});

describe('directionOf', () => {
  it('lays Arabic out right to left and the others left to right', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(['en', 'fr', 'de', 'es'].map((locale) => directionOf(locale as Locale))).toEqual([
      'ltr',
      'ltr',
      'ltr',
      'ltr',
    ]);
  });
});

describe('format', () => {
  it('fills placeholders and leaves unknown ones as written', () => {
    expect(format('Source {n}: {title} {other}', { n: 2, title: 'Deploy' })).toBe(
      'Source 2: Deploy {other}',
    );
  });
});
