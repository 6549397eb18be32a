import { isDeepStrictEqual } from 'node:util';

/**
 * Whether an update of `aws:ecs/service:Service` replaces the service, for the properties the
 * program changes between deploys, as the AWS provider decides it: a changed capacity provider
 * strategy forces a new service unless `forceNewDeployment` is set and the strategy is neither
 * added nor removed (the provider's capacity-provider-strategy diff customisation, also stated in
 * the SDK's documentation of `capacityProviderStrategies`); a new cluster or name always does.
 * Returns the properties that force replacement; empty for an update in place.
 */
export function ecsServiceReplacement(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  const reasons: string[] = [];
  for (const property of ['cluster', 'name']) {
    if (!isDeepStrictEqual(before[property], after[property])) reasons.push(property);
  }
  const old = (before.capacityProviderStrategies as unknown[] | undefined) ?? [];
  const next = (after.capacityProviderStrategies as unknown[] | undefined) ?? [];
  if (!isDeepStrictEqual(old, next)) {
    const inPlace = after.forceNewDeployment === true && old.length > 0 && next.length > 0;
    if (!inPlace) reasons.push('capacityProviderStrategies');
  }
  return reasons;
}
