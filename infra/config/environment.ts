import { ENVIRONMENTS, type EnvironmentName } from './choices';

/**
 * The environment a stack belongs to: `lorechat:environment` when set, else the stack's own name
 * when that is an environment's (dev, staging, prod), so the three stack files need no key. Any
 * other stack (`prod-dr`, `eu-prod`) must say which environment it is, or its resources would be
 * tagged, protected and policed as nothing in particular.
 */
export function stackEnvironment(
  stack: string,
  configured: EnvironmentName | undefined,
  configuredInvalid: boolean,
): { environment?: EnvironmentName; problems: string[] } {
  if (configured) return { environment: configured, problems: [] };
  const byName = ENVIRONMENTS.find((environment) => environment === stack);
  if (byName) return { environment: byName, problems: [] };
  // An invalid value is reported already, with what is allowed.
  if (configuredInvalid) return { problems: [] };
  return {
    problems: [
      `lorechat:environment is required for the stack "${stack}", whose name is not ${ENVIRONMENTS.join(', ')}: set the environment it belongs to with \`pulumi config set lorechat:environment <${ENVIRONMENTS.join('|')}>\``,
    ],
  };
}
