import { evalSources } from '../../test/support/eval-pages';
import { Analyzer } from './analyzer';
import { coverageOf, isAnswerable, missingAllowed } from './answerability';
import { answerKind, givesAnswerKind } from './question-intent';
import { questionLanguage, quotedInNote } from './question-language';

const analyzer = new Analyzer('english');
const kayak = evalSources('kayak', ['/rentals', '/safety', '/faq', '/tours/sunset-paddle']);
const answerable = (question: string, options = {}) =>
  isAnswerable(coverageOf(question, kayak, analyzer), options);

describe('coverageOf and isAnswerable on real extracted pages', () => {
  it('finds the key terms of the question, not its question words', () => {
    const coverage = coverageOf('How much does it cost to rent a tandem kayak?', kayak, analyzer);
    expect(coverage.keyTerms).toEqual(['rent', 'tandem', 'kayak']);
    expect(coverage.missing).toEqual([]);
  });

  it('answers what the passages cover, even in other words of the same root', () => {
    expect(answerable('How much is a tandem kayak for a full day?')).toBe(true);
    expect(answerable('What is the weight limit for a paddleboard?')).toBe(true);
    expect(answerable('Can I bring my dog?')).toBe(true);
  });

  it('refuses what they do not: the topic is missing though other words match', () => {
    expect(answerable('Do you offer scuba diving certification?')).toBe(false);
    expect(answerable('Can I rent a jet ski?')).toBe(false);
    expect(answerable('What is the wifi password?')).toBe(false);
    expect(answerable('Can I rent a 3D printer?')).toBe(false);
  });

  it('refuses a question naming something the site never uses, when the caller knows', () => {
    const question = 'Do the guides hold a PADI certification?';
    expect(answerable(question)).toBe(true);
    expect(answerable(question, { absentFromSite: new Set(['padi']) })).toBe(false);
    // A common word no page happens to use is how the visitor put it, not the topic.
    const worded = 'What weight limit does a single kayak handle?';
    expect(answerable(worded, { absentFromSite: new Set(['handl']) })).toBe(true);
  });

  it('lets a question in another language match on the names it shares with the pages', () => {
    expect(answerable('¿Cuánto cuesta el Sunset Paddle?')).toBe(true);
    expect(answerable('¿Dónde está la piscina?')).toBe(false);
  });

  it('allows more missing words the longer the question', () => {
    expect([1, 2, 3, 5, 6, 9].map(missingAllowed)).toEqual([0, 0, 1, 1, 2, 3]);
  });
});

describe('answerKind and givesAnswerKind', () => {
  it('tells the kind of answer a question asks for', () => {
    expect(answerKind('How much does the sunset tour cost?')).toBe('amount');
    expect(answerKind('What time does the tour leave?')).toBe('time');
    expect(answerKind('When is the full moon paddle?')).toBe('when');
    expect(answerKind('How long is the sea cave tour?')).toBe('duration');
    expect(answerKind('How old do you have to be?')).toBe('age');
    expect(answerKind('How many guides work for you?')).toBe('number');
    expect(answerKind('Where do tours meet?')).toBe('place');
    expect(answerKind('Can I bring my dog?')).toBe('yesno');
    expect(answerKind('¿Cuánto cuesta?')).toBe('amount');
    expect(answerKind('Wann startet die Tour?')).toBe('when');
  });

  it('recognises a sentence that gives that kind of answer', () => {
    expect(givesAnswerKind('amount', 'Adults pay $72.')).toBe(true);
    expect(givesAnswerKind('amount', 'Scanning is free.')).toBe(true);
    expect(givesAnswerKind('amount', 'Tours leave from Dock C.')).toBe(false);
    expect(givesAnswerKind('time', 'It departs at 7:30 am daily.')).toBe(true);
    expect(givesAnswerKind('when', 'Saturday, August 9')).toBe(true);
    expect(givesAnswerKind('age', 'Guests must be 14 or older.')).toBe(true);
    expect(givesAnswerKind('duration', 'The tour lasts 4 hours.')).toBe(true);
    expect(givesAnswerKind('other', 'Anything.')).toBeUndefined();
  });
});

describe('questionLanguage', () => {
  it('tells short questions apart by their function words and marks', () => {
    expect(questionLanguage('Wie installiere ich Quillmark mit npm?')).toBe('de');
    expect(questionLanguage('¿Aceptan el plan CDCP?')).toBe('es');
    expect(questionLanguage("Combien coûte l'impression couleur ?")).toBe('fr');
    expect(questionLanguage('Can I use MDX?')).toBe('en');
    expect(questionLanguage('Is parking free?')).toBe('en');
    expect(questionLanguage('Sunset Paddle')).toBe('en');
    expect(questionLanguage('كيف أنشر إلى الإنتاج باستخدام Pulumi؟')).toBe('ar');
    expect(questionLanguage('Как арендовать каяк?')).toBe('ru');
    expect(questionLanguage('料金はいくらですか？')).toBe('ja');
    expect(questionLanguage('价格是多少？')).toBe('zh');
  });

  it('says which language a quote is in, in the language of the question', () => {
    expect(quotedInNote('fr', 'en')).toBe('Le texte cité est en anglais.');
    expect(quotedInNote('en', 'fr')).toBe('The quoted text is in French.');
    expect(quotedInNote('sw', 'en')).toMatch(/^The quoted text is in /);
  });
});
