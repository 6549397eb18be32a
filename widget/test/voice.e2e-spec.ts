/**
 * Voice, on the minified bundle in Debian Chromium with the real backend: the microphone button
 * and "read aloud", loaded as the widget-voice.js chunk when the panel first opens. Headless
 * Chromium has no microphone and no voices, so the page gets stand-ins for SpeechRecognition and
 * speechSynthesis (installed before the widget loads) that record what the widget asks of them and
 * let the test say what the "visitor" said.
 */
import { type BrowserContext, type Page } from 'playwright-core';
import {
  answerSettled,
  openWidgetPage,
  streamed,
  useBrowserSuite,
  widget,
} from './support/browser';

interface SpeechLog {
  recognitions: { lang: string; interimResults: boolean }[];
  spoken: { text: string; lang: string }[];
  cancelled: number;
}

declare global {
  interface Window {
    speechLog: SpeechLog;
    /** Plays the visitor's words to the listening recognition: interim, then final, then the end. */
    say(words: string): void;
    /** The browser refuses the microphone. */
    refuseMicrophone(): void;
    /** The voice finished reading. */
    finishSpeaking(): void;
  }
}

/** Installs the stand-ins; `recognition: false` is a browser without speech recognition. */
async function installSpeechStandIns(context: BrowserContext, recognition = true): Promise<void> {
  await context.addInitScript((withRecognition: boolean) => {
    const log: SpeechLog = { recognitions: [], spoken: [], cancelled: 0 };
    window.speechLog = log;
    type Handlers = {
      onresult: ((event: unknown) => void) | null;
      onerror: ((event: unknown) => void) | null;
      onend: (() => void) | null;
    };
    let listening: Handlers | undefined;
    const listen = (recognition: Handlers) => (listening = recognition);
    class StandInRecognition implements Handlers {
      lang = '';
      interimResults = false;
      continuous = false;
      onresult: ((event: unknown) => void) | null = null;
      onerror: ((event: unknown) => void) | null = null;
      onend: (() => void) | null = null;
      start() {
        log.recognitions.push({ lang: this.lang, interimResults: this.interimResults });
        listen(this);
      }
      stop() {
        const ended = listening;
        listening = undefined;
        ended?.onend?.();
      }
    }
    window.say = (words) => {
      const active = listening;
      if (!active) throw new Error('nothing is listening');
      const half = words.split(' ').slice(0, 2).join(' ');
      active.onresult?.({ results: [[{ transcript: half }]] });
      active.onresult?.({ results: [[{ transcript: words }]] });
      listening = undefined;
      active.onend?.();
    };
    window.refuseMicrophone = () => {
      const active = listening;
      listening = undefined;
      active?.onerror?.({ error: 'not-allowed' });
      active?.onend?.();
    };
    const w = window as unknown as Record<string, unknown>;
    w.SpeechRecognition = withRecognition ? StandInRecognition : undefined;
    w.webkitSpeechRecognition = withRecognition ? StandInRecognition : undefined;

    let speaking: { onend: (() => void) | null } | undefined;
    window.finishSpeaking = () => {
      const done = speaking;
      speaking = undefined;
      done?.onend?.();
    };
    const synthesis = window.speechSynthesis;
    synthesis.speak = (utterance: SpeechSynthesisUtterance) => {
      log.spoken.push({ text: utterance.text, lang: utterance.lang });
      speaking = utterance as unknown as { onend: (() => void) | null };
    };
    synthesis.cancel = () => {
      log.cancelled += 1;
      speaking = undefined;
    };
  }, recognition);
}

/** The requests for the voice chunk, from every page of the context. */
function voiceRequests(context: BrowserContext): string[] {
  const requests: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes('widget-voice')) requests.push(request.url());
  });
  return requests;
}

const speechLog = (page: Page) => page.evaluate(() => window.speechLog);

describe('voice', () => {
  const suite = useBrowserSuite({ lazy: true });

  it('fills the question from the microphone, in the widget’s language, from the keyboard; the chunk loads on first open', async () => {
    suite.stack.answer(() => streamed('Deploy with `pulumi up` [1].'));
    const context = await suite.newContext();
    await installSpeechStandIns(context);
    const loads = voiceRequests(context);
    const page = await openWidgetPage(context, suite.stack, { options: { locale: 'fr' } });
    // Nothing of voice loads with the page.
    expect(loads).toEqual([]);

    const { launcher, input } = widget(page);
    await launcher.click();
    const microphone = page.getByRole('button', { name: 'Poser la question à voix haute' });
    await microphone.waitFor();
    expect(loads).toHaveLength(1);
    expect(await microphone.getAttribute('aria-pressed')).toBe('false');

    // Keyboard only: Tab from the question field reaches it, Enter starts listening.
    await input.focus();
    await page.keyboard.press('Tab');
    expect(await microphone.evaluate((element) => element.matches(':focus'))).toBe(true);
    await page.keyboard.press('Enter');
    const listening = page.getByRole('button', { name: 'Arrêter l’écoute' });
    expect(await listening.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByText('À l’écoute…').isVisible()).toBe(true);
    expect((await speechLog(page)).recognitions).toEqual([{ lang: 'fr', interimResults: true }]);

    await page.evaluate(() => window.say('Comment déployer en production'));
    expect(await input.inputValue()).toBe('Comment déployer en production');
    expect(await microphone.getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByText('À l’écoute…').isVisible()).toBe(false);
    // Back in the field, the visitor checks the words and sends them.
    expect(await input.evaluate((element) => element.matches(':focus'))).toBe(true);
    await page.evaluate(() => {
      window.LoreChat?.on('question', ({ text }) => {
        (window as unknown as { asked?: string }).asked = text;
      });
    });
    await input.press('Enter');
    await answerSettled(widget(page).turn(0));
    // What the widget sent (the fixture pages, in English, do not answer it: no model is asked).
    expect(await page.evaluate(() => (window as unknown as { asked?: string }).asked)).toBe(
      'Comment déployer en production',
    );
  });

  it('says so when the microphone is refused, and stops listening on Escape', async () => {
    const context = await suite.newContext();
    await installSpeechStandIns(context);
    const page = await openWidgetPage(context, suite.stack);
    await widget(page).launcher.click();
    const microphone = page.locator('.microphone');
    await microphone.click();
    await page.evaluate(() => window.refuseMicrophone());
    await page.getByText(/The microphone is not available/).waitFor();
    expect(await microphone.getAttribute('aria-pressed')).toBe('false');

    await microphone.press('Enter');
    expect(await microphone.getAttribute('aria-pressed')).toBe('true');
    await microphone.press('Escape');
    expect(await microphone.getAttribute('aria-pressed')).toBe('false');
    // The first Escape stopped listening; the panel is still open.
    expect(await widget(page).panel.isVisible()).toBe(true);
  });

  it('reads an answer aloud in the widget’s language, and stops on a second press', async () => {
    suite.stack.answer(() => streamed('Deploy with **Pulumi** [1].'));
    const context = await suite.newContext();
    await installSpeechStandIns(context);
    const page = await openWidgetPage(context, suite.stack);
    const { launcher, input } = widget(page);
    await launcher.click();
    await input.fill('How do I deploy?');
    await input.press('Enter');
    const turn = widget(page).turn(0);
    await answerSettled(turn);
    const readAloud = turn.getByRole('button', { name: 'Read aloud' });
    await readAloud.click();
    const spoken = (await speechLog(page)).spoken;
    expect(spoken).toEqual([{ text: await turn.locator('.body').innerText(), lang: 'en' }]);
    expect(spoken[0]?.text).toContain('Deploy with Pulumi');
    const stop = turn.getByRole('button', { name: 'Stop reading' });
    expect(await stop.getAttribute('aria-pressed')).toBe('true');
    await stop.click();
    expect(await readAloud.getAttribute('aria-pressed')).toBe('false');
    expect((await speechLog(page)).spoken).toHaveLength(1);

    // Read to the end: the button goes back by itself.
    await readAloud.click();
    await page.evaluate(() => window.finishSpeaking());
    expect(await readAloud.getAttribute('aria-pressed')).toBe('false');
  });

  it('shows no microphone where the browser has no speech recognition', async () => {
    suite.stack.answer(() => streamed('An answer [1].'));
    const context = await suite.newContext();
    await installSpeechStandIns(context, false);
    const page = await openWidgetPage(context, suite.stack);
    const { launcher, input } = widget(page);
    await launcher.click();
    await input.fill('Does it work?');
    await input.press('Enter');
    await answerSettled(widget(page).turn(0));
    // Read aloud came with the chunk, so the chunk has run: the microphone is absent, not late.
    await widget(page).turn(0).getByRole('button', { name: 'Read aloud' }).waitFor();
    expect(await page.locator('.microphone').count()).toBe(0);
  });
});
