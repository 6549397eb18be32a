/**
 * The script site owners paste: `<script src=".../widget.js" data-site-key="..." async></script>`.
 * It defines `window.LoreChat` and nothing else, and whatever fails is reported on the console
 * without ever throwing into the page.
 */
import { report } from './guard';
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
    window.LoreChat = mountWidget(script, () => delete window.LoreChat);
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
