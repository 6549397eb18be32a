/**
 * Masks e-mail addresses and phone numbers in text a visitor typed (or an answer repeated), before
 * it is stored. Hand-written: the libraries that find phone numbers (libphonenumber) need the
 * visitor's country to find a national number, which LoreChat does not know; masking a little too
 * much is the safe side here.
 */

export const MASKED_EMAIL = '[email]';
export const MASKED_PHONE = '[phone]';

/** Local part, @, a domain with at least one dot: what mail clients link as an address. */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/**
 * A phone number as people write one: an optional +, digits in groups split by spaces, dots,
 * hyphens or parentheses. Whether a candidate is one is decided by its digit count.
 */
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}])\+?\(?\d(?:[\d\s().-]*\d)?(?![\p{L}\p{N}])/gu;

/** E.164 numbers have at most 15 digits; the shortest local numbers in use have 7. */
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;

/** Numbers that look like phone numbers by their digits but are dates or year ranges. */
const NOT_A_PHONE = [
  /^\d{4}-\d{1,2}-\d{1,2}$/, // 2026-05-01
  /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/, // 01.05.2026, 5/1/2026
  /^\d{4}\s*-\s*\d{4}$/, // 2019-2024
];

export function maskPii(text: string): string {
  return text.replace(EMAIL, MASKED_EMAIL).replace(PHONE_CANDIDATE, (candidate) => {
    const trimmed = candidate.trim();
    const digits = trimmed.replace(/\D/g, '').length;
    if (digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) return candidate;
    if (NOT_A_PHONE.some((pattern) => pattern.test(trimmed))) return candidate;
    // Keep the whitespace the candidate swallowed at its ends, so words stay apart.
    const lead = /^\s*/.exec(candidate)?.[0] ?? '';
    const trail = /\s*$/.exec(candidate)?.[0] ?? '';
    return `${lead}${MASKED_PHONE}${trail}`;
  });
}
