import { z } from 'zod';
import { type RawStackConfig } from './types';

/**
 * The `aws:*` settings the program reads itself, because both of its AWS providers (the stack's
 * region and us-east-1) are created from them: the accounts the stack may touch, the role to
 * assume, the named profile.
 */

/** The account id in the repository's stack files, which only stands for yours. */
export const PLACEHOLDER_ACCOUNT_ID = '111122223333';

const accountIds = z.array(z.string().regex(/^\d{12}$/));

const assumeRoles = z.array(
  z.object({
    roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/),
    sessionName: z.string().optional(),
    externalId: z.string().optional(),
  }),
);

export interface AwsSettings {
  region: string;
  profile?: string;
  allowedAccountIds: string[];
  assumeRoles?: z.output<typeof assumeRoles>;
}

/** Reads and checks the `aws:*` settings, returning them and their problems. */
export function readAwsSettings(raw: RawStackConfig['aws']): {
  settings: AwsSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const region = raw.region ?? '';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push(
      region
        ? `aws:region must be an AWS region such as eu-west-1 (got "${region}")`
        : 'aws:region is required: set it with `pulumi config set aws:region <region>`',
    );
  }
  const allowed = parseJson(
    raw.allowedAccountIds,
    accountIds,
    'aws:allowedAccountIds must be a list of 12-digit AWS account ids',
    problems,
  );
  if (!raw.allowedAccountIds) {
    problems.push(
      'aws:allowedAccountIds is required, so a stack can never change another account: set it with `pulumi config set --path "aws:allowedAccountIds[0]" <account id>`',
    );
  } else if (allowed?.includes(PLACEHOLDER_ACCOUNT_ID)) {
    problems.push(
      `aws:allowedAccountIds still holds the repository's example account ${PLACEHOLDER_ACCOUNT_ID}: set your own with \`pulumi config set --path "aws:allowedAccountIds[0]" <account id>\``,
    );
  }
  const roles = parseJson(
    raw.assumeRoles,
    assumeRoles,
    'aws:assumeRoles must be a list of {"roleArn": "arn:aws:iam::<account>:role/<name>"}',
    problems,
  );
  return {
    settings: {
      region,
      profile: raw.profile || undefined,
      allowedAccountIds: allowed ?? [],
      assumeRoles: roles,
    },
    problems,
  };
}

/** A setting Pulumi hands over as JSON text, checked against `schema`; undefined when unset. */
function parseJson<T>(
  text: string | undefined,
  schema: z.ZodType<T>,
  problem: string,
  problems: string[],
): T | undefined {
  if (!text?.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(`${problem} (got ${text})`);
  return undefined;
}
