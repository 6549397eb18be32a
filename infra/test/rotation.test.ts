import { type RecordedResource } from '../simulation/mocks';
import { container } from './support/recorded';

/**
 * docs/deploy.md tells operators to rotate a key with `pulumi config set --secret` and `pulumi up`.
 * The program runs twice here, as that update would (the second run knows the first one's state),
 * and the new key must reach the tasks: a new secret version, pinned in a new task definition.
 */
async function deploy(key: string, previous: RecordedResource[] = []): Promise<RecordedResource[]> {
  let resources: RecordedResource[] = [];
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = await import('../simulation/runProgram');
    const run = await runProgram(
      'dev',
      {
        'lorechat:llmProvider': 'anthropic',
        'lorechat:anthropicApiKey': { secure: key },
      },
      previous,
    );
    resources = run.resources;
  });
  return resources;
}

const secretsOf = (resources: RecordedResource[]) =>
  Object.fromEntries(
    container({ stack: 'dev', resources, calls: [], outputs: {} }).secrets.map(
      ({ name, valueFrom }) => [name, valueFrom],
    ),
  );

describe('rotating a model provider key', () => {
  it('stores a new secret version and rolls the tasks onto a task definition that pins it', async () => {
    const before = await deploy('v1:first-ciphertext');
    const after = await deploy('v1:second-ciphertext', before);
    const [old, next] = [secretsOf(before), secretsOf(after)];
    expect(next.ANTHROPIC_API_KEY).not.toBe(old.ANTHROPIC_API_KEY);
    expect(next.ANTHROPIC_API_KEY?.replace(/::[0-9a-f-]+$/, '')).toBe(
      old.ANTHROPIC_API_KEY?.replace(/::[0-9a-f-]+$/, ''),
    );
    // Keys that did not change keep their version: nothing else moves.
    expect(next.VISITOR_TOKEN_SECRET).toBe(old.VISITOR_TOKEN_SECRET);
    const definition = (resources: RecordedResource[]) =>
      resources.find(
        (resource) =>
          resource.type === 'aws:ecs/taskDefinition:TaskDefinition' &&
          !String(resource.inputs.family).endsWith('-ingest'),
      )?.inputs.containerDefinitions;
    // A task definition is immutable: new container definitions are a new revision, which ECS
    // rolls out to the service.
    expect(definition(after)).not.toEqual(definition(before));
  });
});
