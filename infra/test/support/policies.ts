import {
  type PolicyResource,
  type PolicyResourceOptions,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from '@pulumi/policy';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';
import { type RecordedResource } from '../../simulation/mocks';

/** A resource as a policy sees it, before the engine's wrapping. */
export interface PolicyTarget {
  type: string;
  name: string;
  /** Inputs, which resource rules read. */
  props: Record<string, unknown>;
  /** Outputs, which stack rules read; the inputs when not given. */
  outputs?: Record<string, unknown>;
  protect?: boolean;
}

export interface Violation {
  policy: string;
  resource: string;
  message: string;
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

/** Whether a resource class (an SDK class, with its static type token) is of this type. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

/**
 * Secrets unwrapped to their plain values, as the policy framework hands props to rules (see
 * @pulumi/policy's deserialize.ts): rules never see Pulumi's secret envelopes.
 */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[specialSigKey] === specialSecretSig) return plain(record.value);
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, plain(item)]));
}

/** The policy pack's default for each configured setting, as the engine fills them in. */
function configOf(policy: ResourceValidationPolicy | StackValidationPolicy): object {
  const properties = policy.configSchema?.properties ?? {};
  return Object.fromEntries(
    Object.entries(properties).map(([key, schema]) => [key, schema.default as unknown]),
  );
}

function optionsOf(target: PolicyTarget): PolicyResourceOptions {
  return {
    protect: target.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

const urnOf = (target: PolicyTarget) => `urn:pulumi:test::lorechat::${target.type}::${target.name}`;

/** A recorded resource as a policy target: outputs carry the id, as the engine's state does. */
export function targetOf(resource: RecordedResource): PolicyTarget {
  return {
    type: resource.type,
    name: resource.name,
    props: resource.inputs,
    outputs: { ...resource.outputs, id: resource.id },
    protect: resource.protect,
  };
}

/**
 * Runs policies the way the Pulumi engine does, over a set of resources: each resource rule on
 * every resource's inputs, each stack rule once on all their outputs. Returns every violation;
 * rules that find themselves not applicable report none.
 */
export async function violationsOf(
  policies: (ResourceValidationPolicy | StackValidationPolicy)[],
  targets: PolicyTarget[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const getConfig = <T extends object>() => configOf(policy) as T;
    if ('validateStack' in policy) {
      const resources: PolicyResource[] = targets.map((target) => ({
        type: target.type,
        name: target.name,
        urn: urnOf(target),
        props: plain(target.outputs ?? target.props) as Record<string, unknown>,
        opts: optionsOf(target),
        dependencies: [],
        propertyDependencies: {},
        isType: (resourceClass: unknown) => isTypeOf(target.type, resourceClass),
        asType: () => {
          throw new Error('the rules read props, not asType');
        },
      }));
      const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig,
        notApplicable,
      };
      const byUrn = new Map(resources.map((resource) => [resource.urn, resource.name]));
      await run(() =>
        policy.validateStack(args, (message, urn) =>
          violations.push({
            policy: policy.name,
            resource: byUrn.get(urn ?? '') ?? 'the stack',
            message,
          }),
        ),
      );
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const target of targets) {
      const props = plain(target.props) as Record<string, unknown>;
      const args: ResourceValidationArgs = {
        type: target.type,
        name: target.name,
        urn: urnOf(target),
        props,
        opts: optionsOf(target),
        stackTags: new Map(),
        isType: (resourceClass: unknown) => isTypeOf(target.type, resourceClass),
        asType: (resourceClass: unknown) =>
          (isTypeOf(target.type, resourceClass) ? props : undefined) as never,
        getConfig,
        notApplicable,
      };
      for (const validate of validations) {
        await run(() =>
          validate(args, (message) =>
            violations.push({ policy: policy.name, resource: target.name, message }),
          ),
        );
      }
    }
  }
  return violations;
}

async function run(validation: () => Promise<void> | void): Promise<void> {
  try {
    await validation();
  } catch (error) {
    if (!(error instanceof NotApplicable)) throw error;
  }
}
