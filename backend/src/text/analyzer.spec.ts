import { Analyzer } from './analyzer';

describe('Analyzer', () => {
  const analyzer = new Analyzer('english');

  it('stems with Snowball and drops stop words, so questions meet headings', () => {
    expect(analyzer.terms('How do I deploy to production?')).toEqual(['deploy', 'product']);
    expect(analyzer.terms('Deploying the deployments')).toEqual(['deploy', 'deploy']);
    expect(analyzer.terms('running stopped installed')).toEqual(['run', 'stop', 'instal']);
  });

  it('keeps identifiers whole as well as their parts, and numbers whole', () => {
    expect(analyzer.terms('Set LLM_BASE_URL')).toEqual([
      'set',
      'llm_base_url',
      'llm',
      'base',
      'url',
    ]);
    expect(analyzer.terms('load widget.js')).toEqual(['load', 'widget.js', 'widget', 'js']);
    expect(analyzer.terms('version 3.14 on 2026-11-26')).toEqual(['version', '3.14', '2026-11-26']);
    expect(analyzer.terms("don't")).toEqual(['dont']);
  });

  it('folds case and compatibility forms', () => {
    expect(analyzer.terms('ＡＰＩ Keys')).toEqual(analyzer.terms('api keys'));
  });

  it('never drops non-Latin scripts', () => {
    expect(analyzer.terms('مرحبا بالعالم')).toEqual(['مرحبا', 'بالعالم']);
    expect(analyzer.terms('Привет мир')).toEqual(['привет', 'мир']);
    expect(analyzer.terms('部署到生产')).toEqual(['部署', '署到', '到生', '生产']);
    expect(analyzer.terms('東京')).toEqual(['東京']);
    expect(analyzer.terms('字')).toEqual(['字']);
    expect(analyzer.terms('iphone手机')).toEqual(['iphon', '手机']);
  });

  it('gives nothing for a query of only stop words or punctuation', () => {
    expect(analyzer.terms('the of and ?!... --')).toEqual([]);
    expect(analyzer.terms('')).toEqual([]);
  });

  it('skips runs too long to be words and handles a 10,000-character query', () => {
    expect(analyzer.terms(`token ${'a'.repeat(65)}`)).toEqual(['token']);
    const long = 'retrieval augmented generation '.repeat(330);
    expect(analyzer.terms(long)).toHaveLength(990);
  });

  it('stems other languages with their own Snowball stemmer', () => {
    const french = new Analyzer('french');
    expect(french.terms('déploiements')).toEqual(french.terms('déploiement'));
    expect(french.terms('déploiements')).toEqual(['déploi']);
    expect(() => new Analyzer('klingon')).toThrow(
      /INDEX_LANGUAGE "klingon" has no Snowball stemmer/,
    );
  });
});
