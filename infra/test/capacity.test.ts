import { type RecordedResource } from '../simulation/mocks';
import { ecsServiceReplacement } from '../simulation/replacement';

/**
 * docs/operations.md tells operators to change the on-demand base and the Spot weights with
 * `pulumi config set` and `pulumi up`. The program runs twice here, before and after such a change
 * (each run in its own module registry, as two `pulumi up` would), and the AWS provider's rule
 * decides whether the service would be updated in place or replaced.
 */
async function deploy(
  overrides: Record<string, number>,
  previous: RecordedResource[] = [],
): Promise<RecordedResource[]> {
  let resources: RecordedResource[] = [];
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = await import('../simulation/runProgram');
    resources = (await runProgram('prod', overrides, previous)).resources;
  });
  return resources;
}

function serviceOf(resources: RecordedResource[]): RecordedResource {
  const service = resources.find((resource) => resource.type === 'aws:ecs/service:Service');
  if (!service) throw new Error('the program declared no ECS service');
  return service;
}

describe('changing the capacity strategy of prod', () => {
  it('updates the ECS service in place, with a new deployment, instead of replacing it', async () => {
    const first = await deploy({});
    const before = serviceOf(first);
    const after = serviceOf(
      await deploy(
        { 'lorechat:onDemandBaseTasks': 2, 'lorechat:onDemandWeight': 1, 'lorechat:spotWeight': 1 },
        first,
      ),
    );
    expect(after.outputs.name).toBe(before.outputs.name);
    expect(after.inputs.capacityProviderStrategies).not.toEqual(
      before.inputs.capacityProviderStrategies,
    );
    expect(after.inputs.forceNewDeployment).toBe(true);
    expect(ecsServiceReplacement(before.inputs, after.inputs)).toEqual([]);
  });
});
