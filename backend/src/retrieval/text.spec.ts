import { analyze } from './text';

describe('analyze', () => {
  it('drops stop words and folds inflections so questions meet headings', () => {
    expect(analyze('How do I deploy to production?')).toEqual(['deploy', 'production']);
    expect(analyze('Deploying and deployments')).toEqual(['deploy', 'deploy']);
    expect(analyze('running stopped installed')).toEqual(['run', 'stop', 'install']);
  });

  it('keeps identifiers whole as well as their parts', () => {
    expect(analyze('Set LLM_BASE_URL')).toEqual(['set', 'llm_base_url', 'llm', 'base', 'url']);
    expect(analyze('load widget.js')).toEqual(['load', 'widget.js', 'widget', 'js']);
  });

  it('handles any script and keeps numbers', () => {
    expect(analyze('Déploiement en production 2026')).toEqual([
      'déploiement',
      'en',
      'production',
      '2026',
    ]);
    expect(analyze('部署 مرحبا')).toEqual(['部署', 'مرحبا']);
  });
});
