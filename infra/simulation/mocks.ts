import type * as pulumi from '@pulumi/pulumi';
import { SIMULATED_ACCOUNT_ID, identityOf } from './identity';
import { autoNamedProperty, declaresTags } from './sdkSchema';
import { subnetPlacement } from './subnets';

export { SIMULATED_ACCOUNT_ID } from './identity';

/** A resource the program registered, as the engine and the policy pack see it. */
export interface RecordedResource {
  type: string;
  name: string;
  /**
   * The inputs after the provider's check: what previews show and policies read. The AWS provider
   * fills in a generated name the program left out, and `tagsAll` (its default tags merged with
   * the resource's own) on every resource that takes tags.
   */
  inputs: Record<string, unknown>;
  /** `<provider urn>::<provider id>` when the resource names an explicit provider. */
  provider?: string;
  custom: boolean;
  /** The id and outputs the simulated provider answered with. */
  id: string;
  outputs: Record<string, unknown>;
  /** Filled in after the run from the engine's view: tells which component owns the resource. */
  urn?: string;
  /** Filled in after the run: the `protect` option, which mocks are not told but policies read. */
  protect?: boolean;
  /** Filled in after the run: the options that decide how the engine replaces the resource. */
  options?: { deleteBeforeReplace: boolean; ignoreChanges: string[]; dependsOn: string[] };
}

export const SIMULATED_PREFIX_LIST_ID = 'pl-4fa04526';
export const SIMULATED_AMI_ID = 'ami-0123456789abcdef0';

/**
 * Pulumi mocks that stand in for AWS the way the real engine and provider behave where the
 * program depends on it:
 *
 * - names: a resource the program does not name gets Pulumi's auto-name (its logical name and a
 *   random suffix), and ids, ARNs, ARN suffixes and DNS names are built from that physical name
 *   as AWS builds them, random parts included (identity.ts);
 * - tags: the AWS provider merges its `defaultTags` into `tagsAll` of every resource that takes
 *   tags, during its check, so previews and policies see them;
 * - providers: the project disables the default AWS provider (`pulumi:disable-default-providers`
 *   in Pulumi.yaml), so a resource or lookup that reaches AWS without an explicit provider fails.
 *
 * Every resource and lookup is recorded for the tests.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: { token: string; inputs: Record<string, unknown>; provider?: string }[] = [];

  /**
   * `previous` is the state of an earlier run of the same stack: a resource it already holds keeps
   * its generated name, id and computed outputs, as the engine keeps them on an update.
   */
  constructor(
    private readonly region: string,
    private readonly previous: readonly RecordedResource[] = [],
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const given = args.inputs as Record<string, unknown>;
    const custom = args.custom ?? true;
    if (custom && args.type.startsWith('aws:') && !args.provider) {
      throw new Error(
        `${args.type} ${args.name} uses the default AWS provider, which Pulumi.yaml disables: give it the stack's provider`,
      );
    }
    const provider = this.providerInputs(args.provider);
    const region = typeof provider?.region === 'string' ? provider.region : this.region;
    const inputs = { ...given };
    const nameProperty = custom ? autoNamedProperty(args.type) : undefined;
    const existing = this.previous.find(
      (resource) =>
        resource.type === args.type &&
        resource.name === args.name &&
        // Storing a new value makes a new secret version, with a new id.
        !(
          args.type === 'aws:secretsmanager/secretVersion:SecretVersion' &&
          JSON.stringify(resource.inputs.secretString) !== JSON.stringify(given.secretString)
        ),
    );
    // Components have no identity of their own in AWS, except the remote ones providers expand.
    const identity = existing
      ? { id: existing.id, outputs: identityOutputs(existing, nameProperty) }
      : !custom && args.type !== 'awsx:ec2:Vpc'
        ? { id: args.name, outputs: {} }
        : identityOf(
            args.type,
            args.name,
            nameProperty ? (given[nameProperty] as string | undefined) : undefined,
            given,
            { region, account: SIMULATED_ACCOUNT_ID },
          );
    if (nameProperty && inputs[nameProperty] === undefined) {
      inputs[nameProperty] = identity.outputs[nameProperty] ?? identity.outputs.name;
    }
    if (custom && declaresTags(args.type)) {
      inputs.tagsAll = { ...defaultTagsOf(provider), ...(given.tags as Record<string, string>) };
    }
    const outputs = { ...inputs, ...identity.outputs };
    this.resources.push({
      type: args.type,
      name: args.name,
      inputs,
      provider: args.provider,
      custom,
      id: identity.id,
      outputs,
    });
    return { id: identity.id, state: outputs };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const inputs = args.inputs as Record<string, unknown>;
    this.calls.push({ token: args.token, inputs, provider: args.provider });
    if (args.token.startsWith('aws:') && !args.provider) {
      throw new Error(
        `the lookup ${args.token} uses the default AWS provider, which Pulumi.yaml disables`,
      );
    }
    const provider = this.providerInputs(args.provider);
    const region = typeof provider?.region === 'string' ? provider.region : this.region;
    switch (args.token) {
      case 'aws:index/getCallerIdentity:getCallerIdentity':
        return {
          accountId: SIMULATED_ACCOUNT_ID,
          arn: `arn:aws:iam::${SIMULATED_ACCOUNT_ID}:user/simulated`,
          userId: 'AIDASIMULATED',
          id: SIMULATED_ACCOUNT_ID,
        };
      case 'aws:index/getRegion:getRegion':
        return { id: region, name: region, region };
      case 'aws:ec2/getManagedPrefixList:getManagedPrefixList':
        return { id: SIMULATED_PREFIX_LIST_ID, name: inputs.name, addressFamily: 'IPv4' };
      case 'aws:ec2/getSubnet:getSubnet':
        return { id: inputs.id, ...subnetPlacement(this.resources, String(inputs.id), region) };
      case 'aws:ssm/getParameter:getParameter':
        return { name: inputs.name, value: SIMULATED_AMI_ID, type: 'String' };
      default:
        // A lookup the simulation does not know would silently return nothing: fail instead.
        throw new Error(`the simulation has no answer for ${args.token}`);
    }
  }

  /** The inputs of the explicit provider a reference (`<urn>::<id>`) points at. */
  private providerInputs(reference: string | undefined): Record<string, unknown> | undefined {
    if (!reference) return undefined;
    const id = reference.slice(reference.lastIndexOf('::') + 2);
    return this.resources.find(
      (resource) => resource.type.startsWith('pulumi:providers:') && resource.id === id,
    )?.inputs;
  }
}

/** What the provider computed for a resource: its outputs that are not among its inputs. */
function identityOutputs(
  resource: RecordedResource,
  nameProperty: string | undefined,
): Record<string, unknown> {
  const computed = Object.entries(resource.outputs).filter(
    ([key]) => !(key in resource.inputs) || key === nameProperty,
  );
  return Object.fromEntries(computed);
}

/** A provider's `defaultTags.tags`; providers receive object inputs as JSON text. */
function defaultTagsOf(provider: Record<string, unknown> | undefined): Record<string, string> {
  const raw = provider?.defaultTags;
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const tags = (parsed as { tags?: Record<string, string> } | undefined)?.tags;
  return tags ?? {};
}
