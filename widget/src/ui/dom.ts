import { guard } from '../guard';

type Child = Node | string | false | undefined;
type AttributeValue = string | number | boolean | undefined;

/**
 * Creates an element. Attribute values and string children only ever become attribute values
 * and text nodes, so nothing passed here can be interpreted as HTML.
 */
export function h<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Record<string, AttributeValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  element.append(...children.filter((child): child is Node | string => child !== false && !!child));
  return element;
}

/** Adds a listener that can never throw into the host page. */
export function listen<Type extends keyof HTMLElementEventMap>(
  target: HTMLElement | ShadowRoot,
  type: Type,
  listener: (event: HTMLElementEventMap[Type]) => void,
): void {
  target.addEventListener(type, guard(listener) as EventListener);
}

/** A button that shows only an icon, named for assistive technology by `label`. */
export function iconButton(
  className: string,
  label: string,
  icon: SVGElement,
  onClick: () => void,
): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: className, 'aria-label': label, title: label },
    icon,
  );
  listen(button, 'click', onClick);
  return button;
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The widget's icons, drawn for it on a 24-unit grid as single stroked paths, so they take the
 * text colour of their button.
 */
const ICONS = {
  chat: 'M4 5h16v11H10l-6 4z',
  close: 'M6 6l12 12M18 6L6 18',
  send: 'M12 19V5M6 11l6-6 6 6',
  stop: 'M7 7h10v10H7z',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  retry: 'M20 12a8 8 0 1 1-2.3-5.6M20 4v4h-4',
  thumb:
    'M7 11v9H4v-9zM7 11l4-8c1.4 0 2.5 1.1 2.5 2.5V9H19a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 17.8 20H7',
};

export function icon(name: keyof typeof ICONS, className?: string): SVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  if (className) svg.setAttribute('class', className);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}
