import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument } from '../iam';
import { DnsValidatedCertificate } from './certificate';

/**
 * CloudFront's origin-facing addresses. The list counts as 55 rules against the 60-rule quota of
 * a security group, so the load balancer's group can admit it on one port only.
 */
export const CLOUDFRONT_ORIGIN_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/** TLS 1.3 and 1.2 only, forward-secret ciphers: the current ELB recommendation. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * Seconds a connection may stay silent. Longer than CloudFront's keep-alive to the origin (60 s),
 * so the load balancer never closes a connection CloudFront is about to reuse (a cause of 502s),
 * and than a Socket.IO heartbeat (a ping every 25 s, 20 s for the pong).
 */
export const IDLE_TIMEOUT_SECONDS = 120;

export interface LoadBalancerArgs {
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
  /** The tasks' port; traffic reaches them through an IP target group. */
  servicePort: number;
  /** The liveness path: 200 while the process serves, whatever its dependencies do. */
  healthCheckPath: string;
  /** Seconds a stopping task keeps its open connections: matches the task's stop timeout. */
  deregistrationDelaySeconds: number;
  deletionProtection: boolean;
  logRetentionDays: number;
  /**
   * With a custom domain CloudFront reaches the load balancer as `origin.<domain>` over HTTPS with
   * its own regional certificate; without one, by the load balancer's own name over HTTP. Either
   * way the connection runs through a CloudFront VPC origin, inside AWS's network.
   */
  domain?: { name: string; hostedZoneId: string };
}

/**
 * The Application Load Balancer behind CloudFront. It is internal: it has no public address, and
 * CloudFront reaches it through a VPC origin (components/edge.ts), so nothing on the internet can
 * call it directly and no shared secret header is needed. Its security group admits only
 * CloudFront's origin-facing addresses. No sticky sessions: the widget speaks WebSocket only, and
 * a WebSocket stays on the task that accepted it.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancerName: pulumi.Output<string>;
  /** What the CloudFront VPC origin points at. */
  readonly loadBalancerArn: pulumi.Output<string>;
  readonly loadBalancerArnSuffix: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  /** `app/<lb>/<id>/targetgroup/<tg>/<id>`: identifies the pair for request-count scaling. */
  readonly requestCountResourceLabel: pulumi.Output<string>;
  /** `targetgroup/…`, the dimension of the target group's metrics. */
  readonly targetGroupArnSuffix: pulumi.Output<string>;
  /** The name CloudFront connects to, and how. */
  readonly originDomainName: pulumi.Output<string>;
  readonly originProtocol: 'http' | 'https';

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:loadBalancer:LoadBalancer', name, {}, opts);

    const accessLogs = this.accessLogBucket(name, args);

    const loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: 'application',
        internal: true,
        subnets: args.publicSubnetIds,
        securityGroups: [args.securityGroupId],
        idleTimeout: IDLE_TIMEOUT_SECONDS,
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection,
        accessLogs: { bucket: accessLogs.bucketName, prefix: 'alb', enabled: true },
      },
      // The load balancer checks on creation that it may write to the bucket.
      { parent: this, dependsOn: [accessLogs.policy] },
    );

    const targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId: args.vpcId,
        targetType: 'ip',
        protocol: 'HTTP',
        port: args.servicePort,
        deregistrationDelay: args.deregistrationDelaySeconds,
        healthCheck: {
          path: args.healthCheckPath,
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      },
      { parent: this },
    );

    const listenerArgs: aws.lb.ListenerArgs = {
      loadBalancerArn: loadBalancer.arn,
      defaultActions: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
    };
    let listener: aws.lb.Listener;
    if (args.domain) {
      const originName = `origin.${args.domain.name}`;
      const certificate = new DnsValidatedCertificate(
        `${name}-origin-cert`,
        { domainName: originName, hostedZoneId: args.domain.hostedZoneId },
        { parent: this },
      );
      listener = new aws.lb.Listener(
        `${name}-https`,
        {
          ...listenerArgs,
          port: 443,
          protocol: 'HTTPS',
          sslPolicy: TLS_POLICY,
          certificateArn: certificate.certificateArn,
        },
        { parent: this },
      );
      new aws.route53.Record(
        `${name}-origin`,
        {
          zoneId: args.domain.hostedZoneId,
          name: originName,
          type: 'A',
          aliases: [
            {
              name: loadBalancer.dnsName,
              zoneId: loadBalancer.zoneId,
              evaluateTargetHealth: false,
            },
          ],
        },
        { parent: this },
      );
      this.originDomainName = pulumi.output(originName);
      this.originProtocol = 'https';
    } else {
      listener = new aws.lb.Listener(
        `${name}-http`,
        { ...listenerArgs, port: 80, protocol: 'HTTP' },
        { parent: this },
      );
      this.originDomainName = loadBalancer.dnsName;
      this.originProtocol = 'http';
    }

    // CloudFront's VPC origin connects from its origin-facing addresses. One port only: CloudFront
    // talks to the origin over HTTPS when there is a certificate and redirects viewers from HTTP
    // itself, so no second prefix-list rule (55 more) is needed.
    const cloudFront = aws.ec2.getManagedPrefixListOutput(
      { name: CLOUDFRONT_ORIGIN_PREFIX_LIST },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-alb-from-cloudfront`,
      {
        securityGroupId: args.securityGroupId,
        prefixListId: cloudFront.id,
        ipProtocol: 'tcp',
        fromPort: args.domain ? 443 : 80,
        toPort: args.domain ? 443 : 80,
        description: 'CloudFront origin-facing servers only',
      },
      { parent: this },
    );

    this.loadBalancerName = loadBalancer.name;
    this.loadBalancerArn = loadBalancer.arn;
    this.loadBalancerArnSuffix = loadBalancer.arnSuffix;
    // Resolves once the listener forwards to the target group: ECS refuses to register a service
    // with a target group that no load balancer uses yet.
    this.targetGroupArn = pulumi
      .all([targetGroup.arn, listener.arn])
      .apply(([targetGroupArn]) => targetGroupArn);
    this.requestCountResourceLabel = pulumi.interpolate`${loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;

    this.registerOutputs({
      loadBalancerName: this.loadBalancerName,
      targetGroupArn: this.targetGroupArn,
      originDomainName: this.originDomainName,
    });
  }

  /** A private, encrypted bucket for access logs, emptied after the retention period. */
  private accessLogBucket(
    name: string,
    args: LoadBalancerArgs,
  ): { bucketName: pulumi.Output<string>; policy: aws.s3.BucketPolicy } {
    const bucket = new aws.s3.Bucket(
      `${name}-alb-logs`,
      // Unprotected stacks must be able to destroy the bucket with its logs in it.
      { forceDestroy: !args.deletionProtection },
      { parent: this },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-alb-logs`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-alb-logs`,
      { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-alb-logs`,
      {
        bucket: bucket.id,
        // Load balancers can write access logs only with S3-managed keys.
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      },
      { parent: this },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-alb-logs`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: 'expire-access-logs',
            status: 'Enabled',
            filter: {},
            expiration: { days: args.logRetentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    const policy = new aws.s3.BucketPolicy(
      `${name}-alb-logs`,
      { bucket: bucket.id, policy: accessLogBucketPolicy(bucket.arn, account.accountId) },
      // S3 refuses a bucket policy while the public access block is still being applied.
      { parent: this, dependsOn: [publicAccess] },
    );
    return { bucketName: bucket.bucket, policy };
  }
}

/**
 * Lets Elastic Load Balancing's log delivery write this account's access logs, and refuses any
 * request that is not over TLS.
 */
export function accessLogBucketPolicy(
  bucketArn: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
): pulumi.Output<string> {
  return policyDocument([
    {
      Sid: 'AllowLoadBalancerLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: pulumi.interpolate`${bucketArn}/alb/AWSLogs/${accountId}/*`,
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
}
