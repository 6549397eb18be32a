/**
 * The script site owners paste: `<script src=".../widget.js" data-site-key="..." async></script>`.
 * It defines `window.LoreChat` and nothing else, and whatever fails is reported on the console
 * without ever throwing into the page.
 */
import { importChunk } from './chunk';
import { guard, report } from './guard';
import { type Messages } from './i18n';
import { en } from './i18n/en';
import { readOptions } from './options';
import { type LoreChatApi, mountWidget } from './widget';

declare global {
  interface Window {
    LoreChat?: LoreChatApi;
  }
}

function start(script: HTMLScriptElement | null): void {
  try {
    // A snippet pasted twice (or a page that loads it again) keeps the one widget it has.
    if (window.LoreChat) return;
    const options = readOptions(
      { ...script?.dataset },
      script?.src || location.href,
      navigator.languages ?? [],
      (message) => console.warn(`LoreChat: ${message}`),
    );
    const mount = guard((messages: Messages) => {
      if (window.LoreChat) return;
      window.LoreChat = mountWidget(script, options, messages, () => delete window.LoreChat);
    });
    if (options.locale === 'en') {
      mount(en);
      return;
    }
    // The page's language arrives before the widget shows, so its first paint is never English;
    // should its catalogue fail to load, the widget speaks English rather than not at all.
    importChunk<{ default: Messages }>(`locale-${options.locale}`, script).then(
      (catalogue) => mount(catalogue.default),
      (error: unknown) => {
        report(error);
        mount(en);
      },
    );
  } catch (error) {
    report(error);
  }
}

try {
  // currentScript is only set while this script runs: read it now. A loader that injects the
  // script some other way still leaves it findable by its site key.
  const current = document.currentScript;
  const script =
    current instanceof HTMLScriptElement
      ? current
      : document.querySelector<HTMLScriptElement>('script[data-site-key]');
  // Placed in <head> without defer, the script can run before <body> exists.
  if (document.body) start(script);
  else document.addEventListener('DOMContentLoaded', () => start(script), { once: true });
} catch (error) {
  report(error);
}
