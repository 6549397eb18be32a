import * as aws from '@pulumi/aws';
import {
  validateResourceOfType,
  type ResourceValidation,
  type ResourceValidationArgs,
} from '@pulumi/policy';
import { asArray, isObject, text } from './props';

/** Secrets and permissions: credentials never in plain environment, no administrator statements. */

/** Variable name parts that mark a credential: it belongs in `secrets`, never `environment`. */
const CREDENTIAL_WORDS = new Set([
  'KEY',
  'APIKEY',
  'TOKEN',
  'PASSWORD',
  'PASSWD',
  'SECRET',
  'CREDENTIAL',
  'CREDENTIALS',
  'AUTH',
]);

/** A URL with a password in it, such as `rediss://:pw@host:6379`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*:[^/\s@]+@/i;

/**
 * `environment` values are plain text in the task definition, visible to anyone who may describe
 * it; credentials go through `secrets`, which ECS resolves from Secrets Manager at start.
 */
export const noCredentialsInContainerEnvironment: ResourceValidation = validateResourceOfType(
  aws.ecs.TaskDefinition,
  (taskDefinition, _args, reportViolation) => {
    const definitions: unknown = JSON.parse(taskDefinition.containerDefinitions);
    for (const definition of asArray(definitions).filter(isObject)) {
      for (const variable of asArray(definition.environment).filter(isObject)) {
        const name = text(variable.name);
        const words = name.toUpperCase().split(/[^A-Z0-9]+/);
        if (words.some((word) => CREDENTIAL_WORDS.has(word))) {
          reportViolation(
            `Container ${text(definition.name)} sets ${name} in environment: pass it in secrets.`,
          );
        } else if (URL_WITH_PASSWORD.test(text(variable.value))) {
          reportViolation(
            `Container ${text(definition.name)} sets ${name} to a URL with a password: pass it in secrets.`,
          );
        }
      }
    }
  },
);

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

/** The statements of a policy document, given as JSON text or as an object. */
function statementsOf(document: unknown): Statement[] {
  const parsed: unknown = typeof document === 'string' ? JSON.parse(document) : document;
  if (!isObject(parsed)) return [];
  return asArray(parsed.Statement).filter(isObject);
}

/** Policy documents a resource carries, by where each IAM resource type keeps them. */
function policyDocumentsOf(args: ResourceValidationArgs): unknown[] {
  if (
    args.isType(aws.iam.Policy) ||
    args.isType(aws.iam.RolePolicy) ||
    args.isType(aws.iam.UserPolicy) ||
    args.isType(aws.iam.GroupPolicy)
  ) {
    return [args.props.policy];
  }
  if (args.isType(aws.iam.Role)) {
    return asArray(args.props.inlinePolicies)
      .filter(isObject)
      .map((policy) => policy.policy);
  }
  return args.notApplicable('Only IAM policies and roles carry identity policy statements');
}

/** Allowing every action on every resource is administrator access, whatever the role is for. */
export const noWildcardActionOnWildcardResource: ResourceValidation = (args, reportViolation) => {
  for (const document of policyDocumentsOf(args)) {
    if (document === undefined || document === null || document === '') continue;
    for (const statement of statementsOf(document)) {
      if (statement.Effect !== 'Allow') continue;
      const everyAction = asArray(statement.Action).some(
        (action) => action === '*' || action === '*:*',
      );
      const everyResource = asArray(statement.Resource).includes('*');
      if (everyAction && everyResource) {
        reportViolation('An IAM statement allows action "*" on resource "*".');
      }
    }
  }
};
