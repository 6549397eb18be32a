import type * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/**
 * Where CloudFront sends each request: the stack's own load balancer, or, with a standby stack in
 * another region (docs/operations.md, "Disaster recovery"), an origin group of both.
 *
 * Why a CloudFront origin group, not Route 53 failover records: CloudFront is already in front and
 * reaches each internal load balancer through a VPC origin, by ARN, so no DNS name decides where a
 * request goes and a failover record would change nothing; Route 53 health checkers could not
 * reach an internal load balancer either. The origin group fails over per request, at the edge,
 * with no DNS TTL to wait out, and the standby's address comes from configuration, so the primary
 * stack never reads the standby's state.
 *
 * CloudFront retries on the second origin only requests that are GET, HEAD or OPTIONS, and refuses
 * an origin group on a behavior that allows other methods. So the read-only paths go through the
 * group and fail over by themselves: the widget bundle, and the chat transport, which the widget
 * speaks over WebSocket only (an upgrade is a GET). The paths that take POST (the visitor token,
 * the console's sign-in, the admin API) go to one origin, the primary's until `drFailover` turns
 * the switch; then the group also tries the standby first.
 */

/** The origin ids inside the distribution; the primary's predates disaster recovery. */
export const ORIGIN_ID = 'load-balancer';
export const STANDBY_ORIGIN_ID = 'standby-load-balancer';
export const FAILOVER_GROUP_ID = 'failover';

/** The primary's answers that send a read-only request to the other origin. */
export const FAILOVER_STATUS_CODES = [500, 502, 503, 504];

/**
 * With a standby, how long CloudFront tries an origin before failing over: 2 attempts of 5 s
 * instead of 3 of 10 s, so a request to a dead region reaches the standby within 10 s.
 */
export const FAILOVER_CONNECTION = { connectionAttempts: 2, connectionTimeout: 5 };

export const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
/** The methods an origin group may serve: the only ones CloudFront fails over. */
export const FAILOVER_METHODS = ['GET', 'HEAD', 'OPTIONS'];

export interface StandbyOrigin {
  /** The standby stack's internal load balancer (its `loadBalancerArn` output). */
  loadBalancerArn: string;
  /** The name CloudFront connects to it by (its `originDomainName` output). */
  originDomainName: string;
  /** Serve from the standby first: the region switch. */
  failover: boolean;
}

export interface OriginRouting {
  /** Paths that take POST: one origin, the active region's. */
  writeOriginId: string;
  /** Read-only paths: the failover group when there is a standby. */
  readOriginId: string;
  /** Methods the chat transport accepts: WebSocket upgrades only when it can fail over. */
  chatMethods: string[];
  originGroups: aws.types.input.cloudfront.DistributionOriginGroup[];
}

/** Which origin each kind of path targets, with or without a standby, switched or not. */
export function originRouting(standby: StandbyOrigin | undefined): OriginRouting {
  if (!standby) {
    return {
      writeOriginId: ORIGIN_ID,
      readOriginId: ORIGIN_ID,
      chatMethods: ALL_METHODS,
      originGroups: [],
    };
  }
  const [first, second] = standby.failover
    ? [STANDBY_ORIGIN_ID, ORIGIN_ID]
    : [ORIGIN_ID, STANDBY_ORIGIN_ID];
  return {
    writeOriginId: first,
    readOriginId: FAILOVER_GROUP_ID,
    chatMethods: FAILOVER_METHODS,
    originGroups: [
      {
        originId: FAILOVER_GROUP_ID,
        failoverCriteria: { statusCodes: FAILOVER_STATUS_CODES },
        members: [{ originId: first }, { originId: second }],
      },
    ],
  };
}

/**
 * How CloudFront speaks to the standby's load balancer. A stack without a custom domain (as a
 * standby is: the custom domain belongs to the primary's distribution) serves HTTP on its own
 * `*.elb.amazonaws.com` name; one with a domain serves HTTPS on `origin.<its domain>`.
 */
export function standbyOriginProtocol(originDomainName: string): 'http' | 'https' {
  return originDomainName.endsWith('.elb.amazonaws.com') ? 'http' : 'https';
}

/** A VPC origin endpoint: the load balancer, its ports, and TLS 1.2 when it speaks HTTPS. */
export function vpcOriginEndpoint(
  name: string,
  loadBalancerArn: pulumi.Input<string>,
  protocol: 'http' | 'https',
): aws.types.input.cloudfront.VpcOriginVpcOriginEndpointConfig {
  return {
    name,
    arn: loadBalancerArn,
    httpPort: 80,
    httpsPort: 443,
    originProtocolPolicy: protocol === 'https' ? 'https-only' : 'http-only',
    originSslProtocols: { items: ['TLSv1.2'], quantity: 1 },
  };
}
