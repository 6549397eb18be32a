import { readableTextColor } from '../src/ui/color';

describe('readableTextColor', () => {
  it('puts white text on dark accents and dark text on light ones', () => {
    expect(readableTextColor('rgb(39, 70, 176)')).toBe('#fff');
    expect(readableTextColor('rgb(0, 0, 0)')).toBe('#fff');
    expect(readableTextColor('rgb(255, 214, 0)')).toBe('#111');
    expect(readableTextColor('rgba(255, 255, 255, 0.9)')).toBe('#111');
    expect(readableTextColor('rgb(255 160 0)')).toBe('#111');
  });

  it('keeps white for colours it cannot read', () => {
    expect(readableTextColor('oklch(70% 0.1 200)')).toBe('#fff');
  });
});
