/**
 * Answers built to freeze the page, streamed through the real backend into the minified widget
 * in Debian Chromium: the one that cost a host page 54 s of main thread, and Markdown generated
 * by fast-check. Each must finish, and the widget must show exactly the text the parser reads.
 */
import fc from 'fast-check';
import { type BrowserContext, type Page } from 'playwright-core';
import { parseMarkdown, plainText } from '../src/markdown';
import {
  answerSettled,
  ask,
  openWidgetPage,
  type Stack,
  useBrowserSuite,
  widget,
} from './support/browser';

/** The answer in tokens of `size` characters, as a model streams a long answer. */
const tokens = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, index) =>
    text.slice(index * size, (index + 1) * size),
  );

const withoutSpace = (text: string) => text.replace(/\s+/g, '');

async function shownText(page: Page, turn: number): Promise<string> {
  return (await widget(page).turn(turn).locator('.body').textContent()) ?? '';
}

describe('hostile answers in the widget', () => {
  const suite = useBrowserSuite();
  let stack: Stack;
  let context: BrowserContext;

  beforeEach(() => {
    ({ stack, context } = suite);
  });

  // Regression (issue 19, finding 3): every frame re-parsed the answer, and each parse scanned to
  // the end of the text for every unmatched `[`: the page froze and the connection was lost.
  it('streams a paragraph of 30,000 unmatched [ to its end', async () => {
    const answer = '[ '.repeat(30_000);
    stack.answer(() => ({ kind: 'stream', tokens: tokens(answer, 100) }));
    const page = await openWidgetPage(context, stack);
    // Questions the fixture pages answer: the model is asked, and streams the hostile answer.
    await ask(page, 'How do I deploy to production?');
    await answerSettled(widget(page).turn(0));
    expect(await widget(page).turn(0).locator('.failure').count()).toBe(0);
    const shown = withoutSpace(await shownText(page, 0));
    expect({ length: shown.length, onlyBrackets: /^\[*$/.test(shown) }).toEqual({
      length: 30_000,
      onlyBrackets: true,
    });
  });

  it('shows generated hostile Markdown as the parser reads it (fast-check)', async () => {
    const pieces = [
      '[',
      ']',
      '(',
      ')',
      '*',
      '**',
      '_',
      '`',
      '```',
      '\\',
      ' ',
      '\n',
      '\n\n',
      '# ',
      '- ',
      '1. ',
      '  ',
      '<',
      '>',
      'http://a.io',
      '[1]',
      'word',
      '[x](http://b.io)',
    ];
    const answers = fc.sample(
      fc
        .array(fc.constantFrom(...pieces), { minLength: 200, maxLength: 2000 })
        .map((parts) => parts.join('')),
      { numRuns: 6, seed: 19 },
    );
    let next = 0;
    stack.answer(() => ({ kind: 'stream', tokens: tokens(answers[next++] ?? '', 7) }));
    const page = await openWidgetPage(context, stack);
    for (const [index, answer] of answers.entries()) {
      await ask(page, `How do I deploy to production? (${index})`);
      await answerSettled(widget(page).turn(index));
      expect(withoutSpace(await shownText(page, index))).toBe(
        withoutSpace(plainText(parseMarkdown(answer))),
      );
    }
  });
});
