import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface AwsProvidersArgs {
  /** The stack's region. */
  region: string;
  /** A named profile (`aws:profile`), for runs from a workstation. */
  profile?: string;
  /** The only accounts either provider may change. */
  allowedAccountIds: string[];
  /** Roles to assume (`aws:assumeRoles`), such as a deploy role in the stack's account. */
  assumeRoles?: { roleArn: string; sessionName?: string; externalId?: string }[];
  /** Tags the providers give every resource that takes tags. */
  tags: Record<string, string>;
}

/**
 * The stack's two AWS providers: one in its region for nearly everything, one in us-east-1 for
 * CloudFront, its WAF, certificates and their alarms. Both get the same account guard, role,
 * profile and default tags, so nothing created in us-east-1 escapes them. Pulumi.yaml disables the
 * implicit default provider, so every resource names one of these.
 */
export class AwsProviders extends pulumi.ComponentResource {
  readonly regional: aws.Provider;
  readonly usEast1: aws.Provider;

  constructor(name: string, args: AwsProvidersArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:providers:AwsProviders', name, {}, opts);
    this.regional = new aws.Provider(`${name}-${args.region}`, providerArgs(args, args.region), {
      parent: this,
    });
    this.usEast1 = new aws.Provider(`${name}-us-east-1`, providerArgs(args, 'us-east-1'), {
      parent: this,
    });
    this.registerOutputs({});
  }
}

/** One provider's settings: the shared ones, in `region`. */
export function providerArgs(args: AwsProvidersArgs, region: string): aws.ProviderArgs {
  return {
    region,
    profile: args.profile,
    allowedAccountIds: args.allowedAccountIds,
    assumeRoles: args.assumeRoles,
    defaultTags: { tags: args.tags },
  };
}
