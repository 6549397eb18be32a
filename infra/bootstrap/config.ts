import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { readAwsSettings, type AwsSettings } from '../config/aws';
import { StackConfigError } from '../config/types';

/** The bootstrap stack's configuration, validated up front like the main program's. */

export const BOOTSTRAP_PROJECT = 'lorechat-bootstrap';

/** The repository's example values, which stand for an operator's own. */
const PLACEHOLDER_REPOSITORY = 'your-org/lorechat';
const EXAMPLE_DOMAIN = /@example\.(com|net|org)$/;

export interface BootstrapConfig {
  aws: AwsSettings;
  /** `owner/name` of the GitHub repository whose workflows may assume the roles. */
  githubRepository: string;
  /** The LoreChat stacks in this account; each gets a preview role and a deploy role. */
  environments: string[];
  createOidcProvider: boolean;
  imageRepository: boolean;
  imagesKept: number;
  pullAccountIds: string[];
  imageReplicationRegions: string[];
  stateBucket?: string;
  accountMonthlyBudgetUsd: number;
  budgetEmail: string;
}

/** A JSON list whose every item matches `pattern`; one message for any way it fails. */
const list = (pattern: RegExp, error: string) =>
  z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: error });
        return z.NEVER;
      }
    })
    .pipe(z.array(z.string({ error }).regex(pattern, { error }), { error }));

const boolean = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((text) => text === 'true');

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number<string>({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

/** Each key's schema, over the text Pulumi hands over; the message says what is allowed. */
const FIELDS = {
  githubRepository: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, { error: 'must be owner/name of a GitHub repository' })
    .refine((value) => value !== PLACEHOLDER_REPOSITORY, {
      error: `is still the repository's example "${PLACEHOLDER_REPOSITORY}": set your own`,
    }),
  // `ci` would collide with the roles' own names (lorechat-ci-…), which deploy roles must not touch.
  environments: list(
    /^(?!ci$)[a-z0-9][a-z0-9-]{0,11}$/,
    'must be a list of stack names such as ["dev", "prod"] (not "ci")',
  ).refine((items) => items.length > 0, { error: 'must name at least one stack' }),
  createOidcProvider: boolean,
  imageRepository: boolean,
  imagesKept: wholeNumber(1, 1000),
  pullAccountIds: list(/^\d{12}$/, 'must be a list of 12-digit AWS account ids'),
  imageReplicationRegions: list(
    /^[a-z]{2}(-[a-z]+)+-\d$/,
    'must be a list of AWS regions such as ["eu-central-1"]',
  ),
  stateBucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' }),
  accountMonthlyBudgetUsd: wholeNumber(1, 1_000_000),
  budgetEmail: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, { error: 'must be an email address' })
    .refine((value) => !EXAMPLE_DOMAIN.test(value), {
      error: "is still the repository's example address: set your own",
    }),
};

type Key = keyof typeof FIELDS;

/** Validates raw values (`<key>` → text) and returns the typed configuration, or every problem. */
export function parseBootstrapConfig(raw: {
  aws: { region?: string; profile?: string; allowedAccountIds?: string; assumeRoles?: string };
  values: Partial<Record<Key, string>>;
}): BootstrapConfig {
  const aws = readAwsSettings(raw.aws);
  const problems = [...aws.problems];
  const read = <K extends Key>(key: K, fallback?: z.output<(typeof FIELDS)[K]>) => {
    const text = raw.values[key]?.trim();
    if (!text) {
      if (fallback === undefined) problems.push(`${BOOTSTRAP_PROJECT}:${key} is required`);
      return fallback;
    }
    const parsed = FIELDS[key].safeParse(text);
    if (parsed.success) return parsed.data as z.output<(typeof FIELDS)[K]>;
    problems.push(
      `${BOOTSTRAP_PROJECT}:${key} ${parsed.error.issues[0]?.message ?? 'is invalid'} (got "${text}")`,
    );
    return fallback;
  };
  const config = {
    aws: aws.settings,
    githubRepository: read('githubRepository') ?? '',
    environments: read('environments', ['dev', 'staging', 'prod']) ?? [],
    createOidcProvider: read('createOidcProvider', true) ?? true,
    imageRepository: read('imageRepository', true) ?? true,
    imagesKept: read('imagesKept', 30) ?? 30,
    pullAccountIds: read('pullAccountIds', []) ?? [],
    imageReplicationRegions: read('imageReplicationRegions', []) ?? [],
    stateBucket: raw.values.stateBucket?.trim() ? read('stateBucket') : undefined,
    accountMonthlyBudgetUsd: read('accountMonthlyBudgetUsd') ?? 0,
    budgetEmail: read('budgetEmail') ?? '',
  };
  if (config.imageReplicationRegions.includes(config.aws.region)) {
    problems.push(
      `${BOOTSTRAP_PROJECT}:imageReplicationRegions must not hold the registry's own region ${config.aws.region}`,
    );
  }
  if (problems.length > 0) throw new StackConfigError(problems);
  return config;
}

/** Reads the running bootstrap stack's configuration through Pulumi and validates it. */
export function loadBootstrapConfig(): BootstrapConfig {
  const own = new pulumi.Config(BOOTSTRAP_PROJECT);
  const aws = new pulumi.Config('aws');
  return parseBootstrapConfig({
    aws: {
      region: aws.get('region'),
      profile: aws.get('profile'),
      allowedAccountIds: aws.get('allowedAccountIds'),
      assumeRoles: aws.get('assumeRoles'),
    },
    values: Object.fromEntries(Object.keys(FIELDS).map((key) => [key, own.get(key)])),
  });
}

/** The keys the program reads, for the test that keeps Pulumi.yaml in step. */
export const BOOTSTRAP_KEYS = Object.keys(FIELDS);
