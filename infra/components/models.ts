import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bedrockResourceArns } from '../backend';

export interface ModelAccessArgs {
  /** The Bedrock model (or system inference profile, `eu.…`) that writes the answers. */
  modelId: string;
  region: string;
  accountId: pulumi.Input<string>;
}

/**
 * The stack's own application inference profile for its Bedrock answer model. Bedrock bills calls
 * through an application inference profile under the profile's tags, so the stack's budget, which
 * counts its `Project` and `Environment` tags, sees what the answers cost; calls to the model or a
 * system inference profile directly carry no tags at all.
 */
export class ModelAccess extends pulumi.ComponentResource {
  /** What the server invokes. */
  readonly profileArn: pulumi.Output<string>;
  /** What the task role may invoke: the profile and every model it routes to. */
  readonly invokeArns: pulumi.Input<string>[];

  constructor(name: string, args: ModelAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:models:ModelAccess', name, {}, opts);

    const profile = new aws.bedrock.InferenceProfile(
      `${name}-answers`,
      {
        description: `LoreChat answers (${args.modelId}), tagged for cost allocation`,
        modelSource: {
          copyFrom: inferenceProfileSource(args.modelId, args.region, args.accountId),
        },
      },
      { parent: this },
    );
    this.profileArn = profile.arn;
    this.invokeArns = [
      profile.arn,
      ...bedrockResourceArns([args.modelId], args.region, args.accountId),
    ];
    this.registerOutputs({ profileArn: this.profileArn });
  }
}

/** Cross-region inference profiles carry a geography before the model id: `eu.amazon.nova-…`. */
const SYSTEM_PROFILE_PREFIX = /^(us|us-gov|eu|apac|ca|jp|au|global)\./;

/**
 * What an application inference profile copies: a system (cross-region) inference profile of this
 * account, or a foundation model in the stack's region.
 */
export function inferenceProfileSource(
  modelId: string,
  region: string,
  accountId: pulumi.Input<string>,
): pulumi.Output<string> {
  return SYSTEM_PROFILE_PREFIX.test(modelId)
    ? pulumi.interpolate`arn:aws:bedrock:${region}:${accountId}:inference-profile/${modelId}`
    : pulumi.output(`arn:aws:bedrock:${region}::foundation-model/${modelId}`);
}
