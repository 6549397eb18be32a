import { api, SIGNED_OUT_EVENT } from './api';
import { destroyCharts } from './charts';
import { announce, h } from './dom';
import { conversationsView } from './views/conversations';
import { crawlView } from './views/crawl';
import { gapsView } from './views/gaps';
import { overviewView } from './views/overview';
import { pagesView } from './views/pages';
import { signInView } from './views/signin';
import { transcriptView } from './views/transcript';

declare const CONSOLE_VERSION: string;

interface Route {
  hash: string;
  title: string;
  view: () => HTMLElement;
}

const OVERVIEW: Route = { hash: '#overview', title: 'Overview', view: overviewView };
const ROUTES: Route[] = [
  OVERVIEW,
  { hash: '#conversations', title: 'Conversations', view: conversationsView },
  { hash: '#gaps', title: 'Content gaps', view: gapsView },
  { hash: '#pages', title: 'Pages', view: pagesView },
  { hash: '#crawl', title: 'Crawl', view: crawlView },
];

const app = document.getElementById('app') as HTMLElement;

function showSignIn(): void {
  destroyCharts();
  app.replaceChildren(signInView(showConsole));
}

/** The view for the address's hash; `#conversations/<id>` is one transcript. */
function resolve(hash: string): { title: string; section: string; view: () => HTMLElement } {
  const transcript = /^#conversations\/(.+)$/.exec(hash);
  if (transcript) {
    const id = decodeURIComponent(transcript[1] ?? '');
    return { title: 'Conversation', section: '#conversations', view: () => transcriptView(id) };
  }
  const route = ROUTES.find((each) => each.hash === hash) ?? OVERVIEW;
  return { title: route.title, section: route.hash, view: route.view };
}

function render(moveFocus: boolean): void {
  const main = document.getElementById('main');
  if (!main) return;
  destroyCharts();
  const { title, section, view } = resolve(location.hash);
  document.title = `${title} · LoreChat console`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (link.getAttribute('href') === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  announce('');
  const heading = h('h1', { attrs: { tabindex: '-1' } }, title);
  main.replaceChildren(heading, view());
  // A screen reader and the keyboard land on the new view, as after a page load.
  if (moveFocus) heading.focus();
}

function showConsole(): void {
  const signOut = h(
    'button',
    {
      class: 'secondary',
      attrs: { type: 'button' },
      on: { click: () => void api.signOut().then(showSignIn) },
    },
    'Sign out',
  );
  app.replaceChildren(
    h(
      'header',
      {},
      h('span', { class: 'brand' }, 'LoreChat console'),
      h(
        'nav',
        { attrs: { 'aria-label': 'Console' } },
        h(
          'ul',
          {},
          ...ROUTES.map((route) =>
            h('li', {}, h('a', { attrs: { href: route.hash } }, route.title)),
          ),
        ),
      ),
      signOut,
    ),
    h('main', { attrs: { id: 'main', tabindex: '-1' } }),
    h('p', { class: 'status', attrs: { id: 'status', role: 'status', 'aria-live': 'polite' } }),
    h('footer', {}, `LoreChat ${CONSOLE_VERSION}`),
  );
  render(true);
}

window.addEventListener('hashchange', () => render(true));
window.addEventListener(SIGNED_OUT_EVENT, showSignIn);

void api.signedIn().then(
  (signedIn) => (signedIn ? showConsole() : showSignIn()),
  () => showSignIn(),
);
