/** Builds elements from text only: nothing the API returns is ever parsed as HTML. */
type Child = Node | string | number | false | null | undefined;

export interface Props {
  class?: string;
  attrs?: Record<string, string | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    element.addEventListener(type, listener as EventListener);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

const numberFormat = new Intl.NumberFormat(undefined);
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

export function formatUsd(value: number): string {
  return `$${value.toFixed(value !== 0 && value < 1 ? 4 : 2)}`;
}

export function formatTime(epochMs: number | string): string {
  return dateTimeFormat.format(new Date(epochMs));
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${formatNumber(Math.round(value))} ms`;
}

/** Announces a status to screen readers (and shows it) in the page's one live region. */
export function announce(message: string): void {
  const region = document.getElementById('status');
  if (region) region.textContent = message;
}
