import type { Source } from '@lorechat/contracts';
import { format } from '../i18n';
import { type Block, type Inline, safeHref } from '../markdown';
import { h } from './dom';

/** Attributes of every link out of the widget: a new tab that learns nothing about this page. */
export function externalLink(href: string): Record<string, string | undefined> {
  return {
    href,
    target: href.startsWith('mailto:') ? undefined : '_blank',
    rel: 'noopener noreferrer',
  };
}

/**
 * Builds the DOM of a parsed answer with createElement and text nodes only. Citation markers
 * become links to their source once the sources have arrived; until then they stay text.
 */
export function renderMarkdown(
  blocks: Block[],
  sources: Source[],
  citationLabel: string,
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  fragment.append(...blocks.map((block) => renderBlock(block, sources, citationLabel)));
  return fragment;
}

function renderBlock(block: Block, sources: Source[], citationLabel: string): HTMLElement {
  const inlines = (children: Inline[]) =>
    children.map((child) => renderInline(child, sources, citationLabel));
  switch (block.type) {
    case 'paragraph':
      return h('p', {}, ...inlines(block.children));
    case 'heading':
      return h('p', { class: 'heading' }, h('strong', {}, ...inlines(block.children)));
    case 'code':
      return h('pre', { tabindex: 0 }, h('code', {}, block.text));
    case 'list':
      return h(
        block.ordered ? 'ol' : 'ul',
        { start: block.ordered && block.start !== 1 ? block.start : undefined },
        ...block.items.map((item) =>
          h('li', {}, ...item.map((child) => renderBlock(child, sources, citationLabel))),
        ),
      );
  }
}

function renderInline(inline: Inline, sources: Source[], citationLabel: string): Node {
  const children = (nodes: Inline[]) =>
    nodes.map((node) => renderInline(node, sources, citationLabel));
  switch (inline.type) {
    case 'text':
      return document.createTextNode(inline.text);
    case 'break':
      return h('br');
    case 'code':
      return h('code', {}, inline.text);
    case 'strong':
      return h('strong', {}, ...children(inline.children));
    case 'emphasis':
      return h('em', {}, ...children(inline.children));
    case 'link':
      return h('a', externalLink(inline.href), ...children(inline.children));
    case 'citation': {
      const marker = `[${inline.number}]`;
      const source = sources[inline.number - 1];
      const href = source && safeHref(source.url);
      if (!source || !href) return document.createTextNode(marker);
      const label = format(citationLabel, { n: inline.number, title: source.title });
      return h(
        'a',
        { ...externalLink(href), class: 'cite', 'aria-label': label, title: label },
        marker,
      );
    }
  }
}
