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

  it('counts a hyphenated word as covered by its parts', () => {
    const contact = evalSources('kayak', ['/contact']);
    const coverage = coverageOf('What are your after-hours options?', contact, analyzer);
    expect(coverage.keyTerms).toContain('after-hours');
    expect(coverage.missing).not.toContain('after-hours');
  });

  it('refuses a yes/no question about a word no page uses, which another question may word', () => {
    const question = 'Do you offer guided snorkeling tours?';
    const absentFromSite = new Set(['snorkel']);
    expect(answerable(question, { absentFromSite })).toBe(true);
    expect(answerable(question, { absentFromSite, yesNo: true })).toBe(false);
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

  it('tells notice, frequency, phone, opening hours and counts from prices', () => {
    expect(answerKind('How much notice do I need to give to cancel?')).toBe('duration');
    expect(answerKind('How often should I come in?')).toBe('frequency');
    expect(answerKind('How many times can I renew a book?')).toBe('number');
    expect(answerKind('What is the after-hours emergency number?')).toBe('phone');
    expect(answerKind('What is the maximum number of guests?')).toBe('number');
    expect(answerKind('What are the hours of the kids camp?')).toBe('hours');
    expect(answerKind('Do I get a refund if I cancel 30 hours before?')).not.toBe('hours');
    expect(answerKind('What is the API rate limit?')).not.toBe('amount');
    expect(givesAnswerKind('frequency', 'Have a cleaning every six months.')).toBe(true);
    expect(givesAnswerKind('frequency', 'A cleaning costs $185.')).toBe(false);
    expect(givesAnswerKind('phone', 'Call our emergency line at (604) 555-0177.')).toBe(true);
    expect(givesAnswerKind('hours', 'Camp runs from 9:00 am to 3:00 pm.')).toBe(true);
    expect(givesAnswerKind('hours', 'Drop-off starts at 8:45 am.')).toBe(false);
    expect(givesAnswerKind('number', 'Guides earn $24 to $28 per hour.')).toBe(false);
    expect(givesAnswerKind('number', 'A team of 14 guides.')).toBe(true);
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
