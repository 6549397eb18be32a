import { policies } from '../../policy/rules';
import { violationsOf, type PolicyTarget } from './policies';

export const TAGS = { Project: 'lorechat', Environment: 'dev', ManagedBy: 'pulumi' };

export const resource = (
  type: string,
  props: Record<string, unknown>,
  extra: Partial<PolicyTarget> = {},
): PolicyTarget => ({
  type,
  name: `test-${type.split(':').at(-1)?.toLowerCase()}`,
  props,
  ...extra,
});

/** Violations one rule finds, by policy name; the rule is checked to be in the pack under it. */
export async function check(rule: unknown, ...targets: PolicyTarget[]): Promise<string[]> {
  const policy = policies.find(
    (candidate) =>
      ('validateStack' in candidate ? candidate.validateStack : candidate.validateResource) ===
      rule,
  );
  if (!policy) throw new Error('the rule is not in the pack');
  return (await violationsOf([policy], targets)).map((violation) => violation.message);
}
