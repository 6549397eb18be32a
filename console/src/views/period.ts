import { h } from '../dom';

export const PERIODS = [7, 30, 90] as const;
let current = 30;

/** The period every view shows (last N days), kept while the owner moves between views. */
export function period(): number {
  return current;
}

/** A labelled select of the period; calls `changed` with the new number of days. */
export function periodSelect(changed: (days: number) => void): HTMLElement {
  const select = h(
    'select',
    {
      attrs: { id: 'period' },
      on: {
        change: () => {
          current = Number(select.value);
          changed(current);
        },
      },
    },
    ...PERIODS.map((days) =>
      h(
        'option',
        { attrs: { value: String(days), ...(days === current && { selected: '' }) } },
        `Last ${days} days`,
      ),
    ),
  );
  return h('div', { class: 'field' }, h('label', { attrs: { for: 'period' } }, 'Period'), select);
}
