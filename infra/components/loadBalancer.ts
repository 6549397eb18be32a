import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { policyDocument } from '../iam';
import { DnsValidatedCertificate } from './certificate';

/** The header CloudFront adds to every origin request; the listener forwards nothing without it. */
export const ORIGIN_VERIFY_HEADER = 'X-LoreChat-Origin-Verify';

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

/** How long a visitor stays on the task that holds their Socket.IO session. */
export const STICKINESS_SECONDS = 24 * 60 * 60;

export interface LoadBalancerArgs {
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
  /** The tasks' port; traffic reaches them through an IP target group. */
  servicePort: number;
  healthCheckPath: string;
  /** Seconds a stopping task keeps its open connections: matches the task's stop timeout. */
  deregistrationDelaySeconds: number;
  deletionProtection: boolean;
  logRetentionDays: number;
  /**
   * With a custom domain the origin is `origin.<domain>` over HTTPS with its own regional
   * certificate; without one, CloudFront reaches the load balancer's own name over HTTP.
   */
  domain?: { name: string; hostedZoneId: string };
}

/**
 * The Application Load Balancer behind CloudFront. It is reachable only from CloudFront's
 * origin-facing addresses, and its listener forwards only requests that carry the secret header
 * CloudFront adds; anything else, such as another distribution pointed at this load balancer,
 * gets 403. Sticky sessions keep a Socket.IO session, including its long-polling fallback, on one
 * task.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancerName: pulumi.Output<string>;
  readonly loadBalancerArnSuffix: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  /** `app/<lb>/<id>/targetgroup/<tg>/<id>`: identifies the pair for request-count scaling. */
  readonly requestCountResourceLabel: pulumi.Output<string>;
  /** `targetgroup/…`, the dimension of the target group's metrics. */
  readonly targetGroupArnSuffix: pulumi.Output<string>;
  /** The name CloudFront connects to, and how. */
  readonly originDomainName: pulumi.Output<string>;
  readonly originProtocol: 'http' | 'https';
  readonly originVerifyHeader: { name: string; value: pulumi.Output<string> };

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:loadBalancer:LoadBalancer', name, {}, opts);

    const accessLogs = this.accessLogBucket(name, args);

    const loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: 'application',
        internal: false,
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
        stickiness: { type: 'lb_cookie', enabled: true, cookieDuration: STICKINESS_SECONDS },
      },
      { parent: this },
    );

    const originSecret = new random.RandomPassword(
      `${name}-origin-verify`,
      // Letters and digits only: the value travels as an HTTP header.
      { length: 40, special: false },
      { parent: this },
    );
    // Marked secret here too, so every resource input derived from it is encrypted in state.
    const originSecretValue = pulumi.secret(originSecret.result);
    this.originVerifyHeader = { name: ORIGIN_VERIFY_HEADER, value: originSecretValue };

    const listenerArgs: aws.lb.ListenerArgs = {
      loadBalancerArn: loadBalancer.arn,
      defaultActions: [forbiddenAction()],
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

    const forwardingRule = new aws.lb.ListenerRule(
      `${name}-from-cloudfront`,
      {
        listenerArn: listener.arn,
        priority: 1,
        conditions: [
          { httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [originSecretValue] } },
        ],
        actions: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
      },
      { parent: this },
    );

    // One port only: CloudFront talks to the origin over HTTPS when there is a certificate and
    // redirects viewers from HTTP itself, so no second prefix-list rule (55 more) is needed.
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
    this.loadBalancerArnSuffix = loadBalancer.arnSuffix;
    // Resolves once the rule attaches the target group to the listener: ECS refuses to register
    // a service with a target group that no load balancer uses yet.
    this.targetGroupArn = pulumi
      .all([targetGroup.arn, forwardingRule.arn])
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

/** The listener's answer to anything without CloudFront's secret header. */
export function forbiddenAction(): aws.types.input.lb.ListenerDefaultAction {
  return {
    type: 'fixed-response',
    fixedResponse: { statusCode: '403', contentType: 'text/plain', messageBody: 'Forbidden' },
  };
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
