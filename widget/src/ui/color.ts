const DARK_TEXT = '#111';
const LIGHT_TEXT = '#fff';

/**
 * The text colour (white or near-black) with the better contrast on `background`, a computed
 * colour such as `rgb(39, 70, 176)`. A site's accent colour can be light or dark; its button text
 * must stay readable (WCAG AA) either way. Unparseable colours get white, the usual case.
 */
export function readableTextColor(background: string): string {
  const channels = /^rgba?\(([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(background);
  if (!channels) return LIGHT_TEXT;
  const [red, green, blue] = channels.slice(1).map((value) => {
    const channel = Number(value) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  // Contrast with white is 1.05 / (L + 0.05); with #111 (luminance 0.0056) it is (L + 0.05) / 0.0556.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0556 ? LIGHT_TEXT : DARK_TEXT;
}
