/**
 * The language of a visitor's question, told from its function words ("wie", "ich", "mit") and the
 * marks only some languages use (¿, ß). Written here rather than taken from a language-detection
 * package because questions are a handful of words, often with English product names in them: the
 * n-gram detectors tried on this project's evaluation questions called "Wie installiere ich
 * Quillmark mit npm?" English and "Can I use MDX?" Berber. A question with no clear sign of
 * another language is taken as English, the analyzer's default.
 */

/** Words common in questions in one language and rare as words of the others. */
const FUNCTION_WORDS: Record<string, readonly string[]> = {
  en: (
    'the is are do does did what when how where which who whom why can could would should will my ' +
    'your you i a an of for to in on at much many there it and with from about have has am if'
  ).split(' '),
  fr: (
    'le la les est sont quel quelle quels quelles quand comment combien où pourquoi je vous nous ' +
    'pour une un des du au aux qui que qu est-ce ce cette mon ma mes votre vos sur avec dans peut ' +
    'puis-je faut-il il y a-t-il l d coûte ouvert fermé'
  ).split(' '),
  es: (
    'el la los las es son qué cuál cuáles cuándo cómo cuánto cuánta cuántos cuántas dónde por ' +
    'para una un del se hay mi mis su usted ustedes puedo puede tienen tiene aceptan cuesta con ' +
    'abre cierra está están'
  ).split(' '),
  de: (
    'der die das ist sind wie wann was wo welche welcher welches kann können ich sie wir mit für ' +
    'ein eine einen und den dem des gibt es kostet wieviel viel bei nach auf'
  ).split(' '),
  it: (
    'il lo gli le è sono quale quali quando come quanto quanta dove perché io voi per una un del ' +
    'della dei che posso potete costa con orari aperto'
  ).split(' '),
  pt: (
    'o os as é são qual quais quando como quanto quanta onde porque eu você vocês para uma um do ' +
    'da dos das que posso pode custa com em aberto'
  ).split(' '),
  nl: (
    'de het een is zijn wat wanneer hoe waar welke wie kan kunnen ik jullie u met voor van en ' +
    'kost hoeveel open er'
  ).split(' '),
};

const WORDS = new Map<string, Set<string>>();
for (const [language, words] of Object.entries(FUNCTION_WORDS)) {
  for (const word of words) {
    const languages = WORDS.get(word) ?? new Set<string>();
    languages.add(language);
    WORDS.set(word, languages);
  }
}

/** Marks that settle it: Spanish opening question marks, German sharp s. */
const MARKS: [RegExp, string][] = [
  [/[¿¡]/, 'es'],
  [/ß/, 'de'],
];

/**
 * The question's primary language subtag: by its script when that is not Latin (`ar`, `ru`, `zh`,
 * …), else by its function words (`en`, `fr`, `es`, `de`, `it`, `pt`, `nl`), `en` when nothing
 * points elsewhere. A word shared by several languages counts for each of them.
 */
export function questionLanguage(question: string): string {
  const script = scriptLanguage(question);
  if (script) return script;
  const counts = new Map<string, number>();
  for (const [mark, language] of MARKS) {
    if (mark.test(question)) counts.set(language, (counts.get(language) ?? 0) + 2);
  }
  const words =
    question
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}-]+/gu) ?? [];
  for (const word of words) {
    for (const language of WORDS.get(word) ?? []) {
      counts.set(language, (counts.get(language) ?? 0) + 1);
    }
  }
  const english = counts.get('en') ?? 0;
  let best = 'en';
  let bestCount = english;
  for (const [language, count] of counts) {
    if (language !== 'en' && count > bestCount) {
      best = language;
      bestCount = count;
    }
  }
  // One shared word ("a", "de") is no evidence: another language needs two signs and a lead.
  return best !== 'en' && bestCount >= 2 ? best : 'en';
}

/** Scripts that each belong to one language (or one family), by their Unicode script. */
const SCRIPTS: [RegExp, string][] = [
  [/\p{Script=Arabic}/gu, 'ar'],
  [/\p{Script=Hebrew}/gu, 'he'],
  [/\p{Script=Cyrillic}/gu, 'ru'],
  [/\p{Script=Greek}/gu, 'el'],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/gu, 'ja'],
  [/\p{Script=Hangul}/gu, 'ko'],
  [/\p{Script=Han}/gu, 'zh'],
  [/\p{Script=Devanagari}/gu, 'hi'],
  [/\p{Script=Thai}/gu, 'th'],
];

/**
 * The language of a question written mostly in a script other than Latin ("كيف أنشر…؟" is Arabic
 * whatever English product names it holds); undefined for Latin-script questions. Japanese is
 * told from Chinese by its kana.
 */
function scriptLanguage(question: string): string | undefined {
  const letters = question.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return undefined;
  for (const [script, language] of SCRIPTS) {
    const count = question.match(script)?.length ?? 0;
    if (language === 'zh' && /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(question)) continue;
    if (count * 2 > letters) return language;
  }
  return undefined;
}

/**
 * "The quote is in English.", said in the question's language where this knows how (else in
 * English), with the language's name from the runtime's own locale data.
 */
export function quotedInNote(questionLanguageTag: string, quoteLanguageTag: string): string {
  const template = QUOTED_IN[questionLanguageTag] ?? QUOTED_IN.en ?? '';
  let name = quoteLanguageTag;
  try {
    name =
      new Intl.DisplayNames([questionLanguageTag, 'en'], { type: 'language' }).of(
        quoteLanguageTag,
      ) ?? quoteLanguageTag;
  } catch {
    // An unknown tag: its code is the best name there is.
  }
  return template.replace('{language}', name);
}

const QUOTED_IN: Record<string, string> = {
  en: 'The quoted text is in {language}.',
  fr: 'Le texte cité est en {language}.',
  es: 'El texto citado está en {language}.',
  de: 'Der zitierte Text ist auf {language}.',
  it: 'Il testo citato è in {language}.',
  pt: 'O texto citado está em {language}.',
  nl: 'De geciteerde tekst is in het {language}.',
};

/** The function words of a language this module knows, for dropping them from a question. */
export function functionWordsOf(language: string): readonly string[] {
  return FUNCTION_WORDS[language] ?? [];
}
