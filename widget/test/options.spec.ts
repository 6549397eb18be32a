import { readOptions } from '../src/options';

const SCRIPT = 'https://chat.example.com/widget.js';

function read(data: Record<string, string>, languages: string[] = ['en-US']) {
  const warnings: string[] = [];
  const options = readOptions(data, SCRIPT, languages, (warning) => warnings.push(warning));
  return { options, warnings };
}

describe('readOptions', () => {
  it('defaults everything but the site key', () => {
    const { options, warnings } = read({ siteKey: 'site_123' });
    expect(options).toEqual({
      siteKey: 'site_123',
      serverUrl: new URL('https://chat.example.com'),
      title: undefined,
      greeting: undefined,
      position: undefined,
      openOnLoad: false,
      locale: 'en',
      theme: 'auto',
      accentColor: undefined,
      suggestedQuestions: [],
    });
    expect(warnings).toEqual([]);
  });

  it('reads every data-* option', () => {
    const { options, warnings } = read({
      siteKey: 'k',
      serverUrl: 'https://example.com/lorechat/',
      title: ' Ask our docs ',
      greeting: 'Hello!',
      position: 'bottom-left',
      open: '',
      locale: 'de',
      theme: 'dark',
      accentColor: '#0b57d0',
      suggestedQuestions: 'How do I start? | What does it cost?||',
    });
    expect(options).toMatchObject({
      serverUrl: new URL('https://example.com/lorechat/'),
      title: 'Ask our docs',
      greeting: 'Hello!',
      position: 'bottom-left',
      openOnLoad: true,
      locale: 'de',
      theme: 'dark',
      accentColor: '#0b57d0',
      suggestedQuestions: ['How do I start?', 'What does it cost?'],
    });
    expect(warnings).toEqual([]);
  });

  it('resolves a relative server URL against the script, and takes the browser language', () => {
    const { options } = read({ siteKey: 'k', serverUrl: '/chat' }, ['es-ES']);
    expect(options.serverUrl.href).toBe('https://chat.example.com/chat');
    expect(options.locale).toBe('es');
  });

  it('reads data-open="false" as closed', () => {
    expect(read({ siteKey: 'k', open: 'false' }).options.openOnLoad).toBe(false);
    expect(read({ siteKey: 'k', open: 'true' }).options.openOnLoad).toBe(true);
  });

  it('replaces bad values by their defaults and says why on the console', () => {
    const { options, warnings } = read({
      theme: 'purple',
      position: 'top-left',
      serverUrl: 'javascript:alert(1)',
    });
    expect(options).toMatchObject({
      siteKey: '',
      theme: 'auto',
      position: undefined,
      serverUrl: new URL('https://chat.example.com'),
    });
    expect(warnings).toEqual([
      'data-site-key is missing: the server may refuse the chat',
      'ignoring data-server-url="javascript:alert(1)": use an http(s) URL',
      'ignoring data-position="top-left": use bottom-right, bottom-left',
      'ignoring data-theme="purple": use light, dark, auto',
    ]);
  });
});
