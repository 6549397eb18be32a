/**
 * Parsers of environment variable values (numbers in a range, comma-separated lists, URLs, e-mail
 * addresses, prices), each with the message an operator reads when a value is wrong.
 */
import { LLM_PROVIDERS, type LlmProviderName } from '@lorechat/contracts';
import { z } from 'zod';

export const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

export const number = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** `LLM_PRICES`: JSON of model id → USD per million input and output tokens. */
export const llmPrices = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string(),
      z.object({ inputPerMillion: number(0, 10_000), outputPerMillion: number(0, 10_000) }),
      {
        error:
          'must map model ids to {"inputPerMillion": number, "outputPerMillion": number} (USD per million tokens)',
      },
    ),
  );

/** A comma-separated list, blanks dropped: `anthropic, extractive` → `['anthropic', 'extractive']`. */
export const list = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

const isLlmProvider = (name: string): name is LlmProviderName =>
  (LLM_PROVIDERS as readonly string[]).includes(name);

export const providerList = list.transform((names, ctx) => {
  const known = names.filter(isLlmProvider);
  if (known.length !== names.length) {
    ctx.addIssue({
      code: 'custom',
      message: `must list providers from: ${LLM_PROVIDERS.join(', ')}`,
    });
    return z.NEVER;
  }
  return known;
});

export const url = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

/** `HANDOFF_EMAIL_TO`: e-mail addresses, comma-separated. */
export const emailList = list.pipe(
  z.array(z.email({ error: 'must be e-mail addresses separated by commas' })),
);

/** `HANDOFF_EMAIL_FROM`: `name@example.com` or `Name <name@example.com>`. */
export const sender = z
  .string()
  .trim()
  .refine((value) => z.email().safeParse(/^[^<>]*<([^<>]+)>$/.exec(value)?.[1] ?? value).success, {
    error: 'must be an e-mail address, or Name <address>',
  });

/** One http(s) URL, or several separated by commas: the nodes of one Qdrant cluster. */
export const urlList = list.transform((values, ctx) => {
  const parsed = values.map((value) => url.safeParse(value));
  const urls = parsed.flatMap((result) => (result.success ? [result.data] : []));
  if (urls.length === 0 || urls.length !== values.length) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an http(s) URL, or several separated by commas',
    });
    return z.NEVER;
  }
  return urls;
});
