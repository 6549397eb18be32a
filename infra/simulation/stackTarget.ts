import { PLACEHOLDER_ACCOUNT_ID } from '../config/aws';
import { engineConfig, type StackFileValue } from './stackFiles';

/**
 * Where a stack deploys, read from its stack file: the region (`aws:region`) and the account (the
 * first of `aws:allowedAccountIds`). The workflows take both from here, so a region or account is
 * written once, in the stack file, never in a workflow.
 */
export function stackTarget(
  stack: string,
  overrides: Record<string, StackFileValue> = {},
): { region: string; account: string } {
  const { values } = engineConfig(stack, overrides);
  const region = values['aws:region'] ?? '';
  const accounts = JSON.parse(values['aws:allowedAccountIds'] ?? '[]') as unknown;
  const account = Array.isArray(accounts) ? String(accounts[0] ?? '') : '';
  if (!region) throw new Error(`Pulumi.${stack}.yaml sets no aws:region`);
  if (!/^\d{12}$/.test(account) || account === PLACEHOLDER_ACCOUNT_ID) {
    throw new Error(
      `Pulumi.${stack}.yaml must name the stack's AWS account in aws:allowedAccountIds (got "${account}")`,
    );
  }
  return { region, account };
}
