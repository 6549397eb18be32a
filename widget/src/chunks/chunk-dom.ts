import { h } from '../ui/dom';

/** Adds a chunk's stylesheet to the widget's shadow root, the way the core adds its own. */
export function adoptStyles(root: ShadowRoot, styles: string): void {
  if ('replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(styles);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } else {
    root.append(h('style', {}, styles));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** An icon on the core's 24-unit grid, one stroked path, in its button's text colour. */
export function pathIcon(d: string): SVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}
