/**
 * What kind of answer a question asks for — an amount, a time, a number, a place, a yes or no — and
 * how to recognise a sentence that gives one. The offline answerer uses it to prefer "Adults pay
 * $72" over a sentence that merely shares the question's words; the answerability check uses the
 * question words it lists as not being the question's topic.
 */

export type AnswerKind =
  | 'amount'
  | 'time'
  | 'when'
  | 'duration'
  | 'frequency'
  | 'age'
  | 'number'
  | 'phone'
  | 'hours'
  | 'place'
  | 'person'
  | 'yesno'
  | 'steps'
  | 'other';

/** Checked in order: "how long" is a duration before "long" could be anything else. */
const CUES: [AnswerKind, RegExp][] = [
  // "How much notice" asks for a span of time, not money; "how often" for a rate, not a count.
  [
    'duration',
    /\bhow long\b|\bhow much (?:advance )?(?:notice|time|warning|lead time)\b|\bhow (?:far )?in advance\b|combien de temps|cu[aá]nto tiempo|wie lange|quanto tempo|hoe lang/u,
  ],
  [
    'frequency',
    /\bhow (?:often|frequently)\b|\bà quelle fréquence\b|\bcada cu[aá]nto\b|\bwie oft\b/u,
  ],
  [
    'age',
    /\bhow old\b|\b(?:minimum|min|maximum|max) age\b|\bage (?:limit|range|requirement)s?\b|\bwhat ages?\b|\bquel [aâ]ge\b|\bqu[eé] edad\b|\bwie alt\b/u,
  ],
  [
    'amount',
    /\bhow much\b|\b(costs?|price[sd]?|pricing|fees?|charges?|rates?(?! limit)|pay|paid|expensive|cheap|discounts?|deposit)\b|combien co[uû]te|\bco[uû]ts?\b|\bprix\b|\btarifs?\b|cu[aá]nto cuesta|\bprecios?\b|\bkostet\b|\bpreis|\bquanto costa|\bcusta\b|\bkost\b/u,
  ],
  [
    'number',
    /\bhow (many|old|far|big|large|heavy|tall|fast|often)\b|\b(minimum|maximum|max|min) (age|size|weight|number)\b|\bage limit\b|combien de|cu[aá]nt[oa]s|wie viele|\bquant[ie]\b|hoeveel/u,
  ],
  // "What is the after-hours number?" asks for a number to call, whatever else it names.
  [
    'phone',
    /\b(?:phone|telephone|fax|emergency|contact|whatsapp) (?:number|line)\b|\bwhat(?:'s| is) (?:the|your) [\w\s-]*\bnumber\b(?! of)|\bnumber (?:to|should i|do i|can i) call\b/u,
  ],
  // Opening hours are a span, "9:00 am to 3:00 pm": a lone "drop-off starts at 8:45" is not them.
  [
    'hours',
    /\bwhat (?:are|were|is) (?:the |your |its |their )?(?:[\w-]+ ){0,3}hours\b|\b(?:opening|office|business|support|visiting|summer|winter|holiday) hours\b|\bhours of (?:the |your )?(?!operation\b)\w/u,
  ],
  [
    'time',
    /\bwhat time\b|\b(opening )?hours\b|\b(open|opens|close|closes|closed|depart|departs|leave|leaves|start|starts|begin|begins)\b|\bquelle heure\b|\bhoraires?\b|\bqu[eé] hora\b|\bhorario\b|\bum wie viel uhr\b|\böffnungszeit|\borari\b/u,
  ],
  [
    'when',
    /\bwhen\b|\bquand\b|\bcu[aá]ndo\b|\bwann\b|\bquando\b|\bwanneer\b|\buntil\b|\bwhat day\b/u,
  ],
  ['place', /\bwhere\b|\bo[uù]\b|\bd[oó]nde\b|\bwo\b|\bdove\b|\bonde\b|\bwaar\b|\baddress\b/u],
  ['person', /\bwho\b|\bqui\b|\bqui[eé]n\b|\bwer\b|\bchi\b/u],
  [
    'steps',
    /^\s*how (do|can|should) (i|we|you)\b|\bhow to\b|\bsteps?\b|\bcomment\b|\bc[oó]mo\b|\bwie\b/u,
  ],
  [
    'yesno',
    /^\s*(is|are|can|do|does|did|will|may|should|could|would|has|have|am)\b|^\s*¿?(puedo|hay|aceptan|tienen|es|est-ce)\b|^\s*(kann|gibt|ist|sind)\b/u,
  ],
];

export function answerKind(question: string): AnswerKind {
  const text = question.normalize('NFC').toLowerCase();
  for (const [kind, cue] of CUES) if (cue.test(text)) return kind;
  return 'other';
}

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY =
  '(?:mon|tues|wednes|thurs|fri|satur|sun)days?|weekdays?|weekends?|daily|every (?:day|evening|morning)|lunes|martes|miércoles|jueves|viernes|sábados?|domingos?|lundis?|mardis?|mercredis?|jeudis?|vendredis?|samedis?|dimanches?|montags?|dienstags?|mittwochs?|donnerstags?|freitags?|samstags?|sonntags?';
const AMOUNT =
  /[$€£¥]\s?\d|\d\s?(?:[$€£¢]|dollars?\b|euros?\b|cents?\b|usd\b|eur\b)|\bfree\b|\bno (?:extra )?charge\b|\bgratuit|\bgratis\b|\bkostenlos/iu;
const TIME =
  /\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b|\b\d{1,2}\s?h(?:\s?\d{2})?\b|\bclosed\b|\bfermé|\bcerrado/iu;
const DATE = new RegExp(
  `\\b${MONTH}\\.?\\s+\\d{1,2}\\b|\\b\\d{1,2}\\s+${MONTH}\\b|\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b(?:${DAY})\\b|\\b(?:19|20)\\d{2}\\b|\\b(?:first|second|third|fourth|last|1st|2nd|3rd|4th) (?:${DAY}|week|day)`,
  'iu',
);
const DURATION =
  /\b\d+(?:[.,]\d+)?\s*(?:-|to|–)?\s*\d*\s*(?:minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|km|kilometres?|kilometers?|miles?)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|half|full)[- ](?:minutes?|hours?|days?|weeks?|months?|years?)\b|\b(?:half|full)[- ]day\b/iu;
const AGE =
  /\b\d+\s*(?:-|to|–)?\s*\d*\s*(?:years?|yrs?)(?: old)?\b|\b(?:aged?|ages)\s+\d+|\b\d+\s*(?:or older|and up|and older|\+)|\b(?:under|over|from age|at least)\s+\d+|\b\d+ to \d+\b/iu;
const PHONE = /\+?\(?\d{2,4}\)?[\s.-]?\d{3}[\s.-]\d{3,4}\b/u;
const CLOCK =
  '(?:\\d{1,2}(?::\\d{2})?\\s?(?:am|pm|a\\.m\\.|p\\.m\\.)|\\d{1,2}:\\d{2}|\\d{1,2}\\s?h(?:\\s?\\d{2})?|noon|midnight)';
const TIME_SPAN = new RegExp(
  `${CLOCK}\\s?(?:-|–|—|to|until|till|à|a|bis)\\s?${CLOCK}|\\bclosed\\b|\\b24 hours\\b|around the clock|\\bfermé|\\bcerrado`,
  'iu',
);
const FREQUENCY =
  /\bevery\b|\bonce\b|\btwice\b|\b(?:daily|weekly|monthly|yearly|annually|hourly|nightly)\b|\b(?:per|a|each) (?:day|week|month|year|hour)\b|\b\d+ times\b/iu;
/** Money in a text, taken out before looking for a count: "$6 per user" says no number of users. */
const MONEY =
  /[$€£¥]\s?\d[\d,.]*|\d[\d,.]*\s?(?:[$€£¢]|dollars?\b|euros?\b|cents?\b|usd\b|eur\b)/giu;
const NUMBER =
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|twice)\b/iu;
const PLACE =
  /\b(?:folder|directory)\b|`[^`\s]*\/[^`\s]*`|\b\d+\s+[\p{L}\s]{2,30}\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|place)\b|\b(?:dock|floor|suite|room|building|basement|next to|beside|inside|located|entrance)\b/iu;
const PERSON = /\b(?:Dr\.|Mr\.|Ms\.|Mrs\.)?\s?\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+/u;
const POLARITY =
  /\b(?:yes|no|not|never|only|must|allowed|welcome|free|cannot|can't|don't|doesn't|included|available|required|need|needs|may|can|accept|accepted)\b/iu;
const INSTRUCTION =
  /^\s*(?:\d+\.|-)\s|`|^\s*(?:to \w+[^,]*, )?(?:run|use|set|add|install|click|go|choose|enter|select|call|fill|open|type|pick|copy|paste|send)\b/iu;

/** Whether `text` holds the kind of answer asked for; undefined when any text might. */
export function givesAnswerKind(kind: AnswerKind, text: string): boolean | undefined {
  switch (kind) {
    case 'amount':
      return AMOUNT.test(text);
    case 'time':
      return TIME.test(text) || DATE.test(text);
    case 'when':
      return DATE.test(text) || TIME.test(text);
    case 'duration':
      return DURATION.test(text) || TIME.test(text);
    case 'frequency':
      return FREQUENCY.test(text);
    case 'phone':
      return PHONE.test(text);
    case 'hours':
      return TIME_SPAN.test(text);
    case 'age':
      return AGE.test(text);
    case 'number':
      return NUMBER.test(text.replace(MONEY, ''));
    case 'place':
      return PLACE.test(text);
    case 'person':
      return PERSON.test(text);
    case 'yesno':
      return POLARITY.test(text);
    case 'steps':
      return INSTRUCTION.test(text);
    default:
      return undefined;
  }
}

/**
 * Words that name a kind of answer, unstemmed: a passage that says "Adults pay $72" answers "how
 * much does it cost" although it never says "cost".
 */
export const KIND_WORDS: Partial<Record<AnswerKind, string>> = {
  amount: 'much cost costs price prices priced fee fees pay pays paid charge charges rate rates',
  time: 'time times hours open opens close closes depart departs departure leave leaves start starts begin begins',
  when: 'when date dates day days',
  duration: 'long last lasts take takes duration notice advance',
  frequency: 'often every frequency',
  phone: 'number phone call line',
  hours: 'hours open opens close closes',
  age: 'old age ages aged older young younger',
};

/**
 * Words that say what kind of answer is wanted, or that any question may use, rather than what it
 * is about ("how much does it cost", "can you tell me"): a passage need not contain them to cover
 * the question. Unstemmed; callers run them through their analyzer.
 */
export const QUESTION_WORDS = (
  'cost costs price prices pricing fee fees charge charges much many long time times old far ' +
  'big large pay paid cheap expensive rate rates get got need needs offer offers tell know want ' +
  'like please help find use make go take give way thing things anything something info ' +
  'information available provide let see look say work happen happens exactly really possible ' +
  'also else ok okay usually typical typically open opens opening close closes closing hour ' +
  'hours day days date dates start starts begin begins can could may might must will shall able ' +
  "just often maximum minimum max min size number i'm i've interested interest wondering goes " +
  'wonder curious afterwards afterward beforehand again ever still anymore'
).split(' ');
