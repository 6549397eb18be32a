import { type ReadSettings } from './fields';

/**
 * The disaster-recovery settings, which relate to each other and to the stack's own region. A
 * primary stack names its standby region (`drRegion`), where snapshots, secrets and images are
 * copied; once the standby stack exists, its load balancer (`drStandbyLoadBalancerArn`,
 * `drStandbyOriginDomain`) joins the distribution as the failover origin; `drFailover` sends
 * every request to the standby first. The standby stack names the primary's server secret
 * (`drPrimarySecretArn`) to share its keys through the replica.
 */

/** The region inside an ARN (`arn:aws:<service>:<region>:…`). */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

export function drProblems(
  read: Pick<ReadSettings, 'settings' | 'invalid'>,
  region: string,
): string[] {
  const { settings: s, invalid } = read;
  const problems: string[] = [];
  if (s.drRegion && s.drRegion === region) {
    problems.push(
      `lorechat:drRegion must be another region than the stack's own (aws:region ${region}): a standby in the same region fails with it`,
    );
  }
  const arn = s.drStandbyLoadBalancerArn;
  const domain = s.drStandbyOriginDomain;
  if (arn && !domain && !invalid.has('drStandbyOriginDomain')) {
    problems.push(
      "lorechat:drStandbyOriginDomain is required with lorechat:drStandbyLoadBalancerArn: set it to the standby stack's originDomainName output",
    );
  }
  if (domain && !arn && !invalid.has('drStandbyLoadBalancerArn')) {
    problems.push(
      "lorechat:drStandbyLoadBalancerArn is required with lorechat:drStandbyOriginDomain: set it to the standby stack's loadBalancerArn output",
    );
  }
  if ((arn || domain) && !s.drRegion && !invalid.has('drRegion')) {
    problems.push(
      'lorechat:drRegion is required with a standby origin: the region the standby stack runs in',
    );
  }
  if (arn && s.drRegion && arnRegion(arn) !== s.drRegion) {
    problems.push(
      `lorechat:drStandbyLoadBalancerArn is in ${arnRegion(arn)}, not lorechat:drRegion ${s.drRegion}`,
    );
  }
  if (s.drFailover && !(arn && domain)) {
    problems.push(
      'lorechat:drFailover needs a standby to fail over to: set lorechat:drStandbyLoadBalancerArn and lorechat:drStandbyOriginDomain first',
    );
  }
  const primarySecret = s.drPrimarySecretArn;
  if (primarySecret && arnRegion(primarySecret) === region) {
    problems.push(
      `lorechat:drPrimarySecretArn is in this stack's own region ${region}: set the primary's adminTokenSecretArn, whose replica lives here`,
    );
  }
  return problems;
}
