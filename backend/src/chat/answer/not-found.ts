import { questionLanguage } from '../../text/question-language';

const NOT_FOUND: Record<string, string> = {
  en: "I couldn't find that on this site. Try other words, or ask about something its pages cover.",
  fr: "Je n'ai pas trouvé cela sur ce site. Essayez d'autres mots, ou posez une question sur ce que ses pages traitent.",
  es: 'No he podido encontrar eso en este sitio. Pruebe con otras palabras o pregunte por algo que traten sus páginas.',
  de: 'Das konnte ich auf dieser Website nicht finden. Versuchen Sie andere Worte, oder fragen Sie nach etwas, das ihre Seiten behandeln.',
  it: 'Non ho trovato questa informazione su questo sito. Provi con altre parole o chieda di qualcosa trattato nelle sue pagine.',
  pt: 'Não encontrei isso neste site. Tente outras palavras ou pergunte sobre algo que as suas páginas abordem.',
  nl: 'Dat heb ik op deze site niet gevonden. Probeer andere woorden, of vraag naar iets waar de pagina’s over gaan.',
};

/** What the visitor reads when the site's pages do not answer: in the question's language. */
export function notFoundMessage(question: string): string {
  return NOT_FOUND[questionLanguage(question)] ?? NOT_FOUND.en ?? '';
}
