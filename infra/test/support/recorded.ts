import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';
import { type RecordedResource } from '../../simulation/mocks';
import { type ProgramRun } from '../../simulation/runProgram';

/** Every recorded resource of a type. */
export function allOf(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The one recorded resource of a type (and name, when given); fails if there is not exactly one. */
export function oneOf(run: ProgramRun, type: string, name?: string): RecordedResource {
  const found = allOf(run, type).filter((resource) => name === undefined || resource.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ''}, found ${found.length}`);
  }
  return found[0] as RecordedResource;
}

/**
 * A recorded input, typed by the caller: the inputs are plain JSON-like values. An input Pulumi
 * marked secret (see `isSecret`) is returned unwrapped.
 */
export function input<T>(resource: RecordedResource, key: string): T {
  const value = resource.inputs[key];
  return (isSecret(value) ? value.value : value) as T;
}

export interface ContainerDefinition {
  name: string;
  command?: string[];
  image: string;
  user: string;
  readonlyRootFilesystem: boolean;
  stopTimeout: number;
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  portMappings: { containerPort: number }[];
  mountPoints: { sourceVolume: string; containerPath: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

/** The task definition of the service, or of another family such as `lorechat-dev-ingest`. */
export function taskDefinitionOf(run: ProgramRun, family?: string): RecordedResource {
  const found = allOf(run, 'aws:ecs/taskDefinition:TaskDefinition').filter((definition) =>
    family === undefined
      ? !String(definition.inputs.family).endsWith('-ingest')
      : definition.inputs.family === family,
  );
  if (found.length !== 1) throw new Error(`expected one task definition, found ${found.length}`);
  return found[0] as RecordedResource;
}

/** The single container of the service's task definition (or of the given family's). */
export function container(run: ProgramRun, family?: string): ContainerDefinition {
  const taskDefinition = taskDefinitionOf(run, family);
  const definitions = JSON.parse(input<string>(taskDefinition, 'containerDefinitions')) as
    ContainerDefinition[] | undefined;
  if (definitions?.length !== 1) throw new Error('expected one container definition');
  return definitions[0] as ContainerDefinition;
}

export interface PolicyDocument {
  Statement: {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Principal?: unknown;
    Condition?: unknown;
  }[];
}

/** The parsed policy document of an inline role policy, by resource name. */
export function rolePolicy(run: ProgramRun, name: string): PolicyDocument {
  const policy = oneOf(run, 'aws:iam/rolePolicy:RolePolicy', name);
  return JSON.parse(input<string>(policy, 'policy')) as PolicyDocument;
}

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The ARN the simulated provider gave a resource. */
export function arnOf(resource: RecordedResource): string {
  return String(resource.outputs.arn);
}

/** The parent component's type, read from the resource's URN. */
export function parentType(resource: RecordedResource): string | undefined {
  const qualifiedType = resource.urn?.split('::')[2] ?? '';
  const chain = qualifiedType.split('$');
  return chain.length > 1 ? chain[chain.length - 2] : undefined;
}

/** Whether Pulumi marked a recorded input secret, so that it is encrypted in the stack's state. */
export function isSecret(recorded: unknown): recorded is { value: unknown } {
  return (recorded as Record<string, unknown> | undefined)?.[specialSigKey] === specialSecretSig;
}

export { declaresTags } from '../../simulation/sdkSchema';

/** The explicit provider a recorded resource was created through. */
export function providerOf(run: ProgramRun, resource: RecordedResource): RecordedResource {
  const id = resource.provider?.slice(resource.provider.lastIndexOf('::') + 2);
  const provider = run.resources.find(
    (candidate) => candidate.type === 'pulumi:providers:aws' && candidate.id === id,
  );
  if (!provider) throw new Error(`${resource.type} ${resource.name} names no explicit provider`);
  return provider;
}

/** The region a recorded resource lives in: its provider's. */
export function regionOf(run: ProgramRun, resource: RecordedResource): string {
  return String(providerOf(run, resource).inputs.region);
}
