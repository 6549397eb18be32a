import { albIngressFromCloudFrontOnly, cloudFrontHasWebAcl } from '../../policy/edge';
import { check, resource } from '../support/policyCheck';

/** The policy pack's edge rules, each against resources that break it and keep it. */
describe('cloudfront-web-acl', () => {
  const type = 'aws:cloudfront/distribution:Distribution';
  it('fails a distribution without a web ACL', async () => {
    expect(await check(cloudFrontHasWebAcl, resource(type, {}))).toEqual([
      expect.stringContaining('no WAF web ACL'),
    ]);
  });
  it('passes one with a web ACL', async () => {
    expect(
      await check(cloudFrontHasWebAcl, resource(type, { webAclId: 'arn:aws:wafv2:acl' })),
    ).toEqual([]);
  });
});

describe('alb-ingress-cloudfront-only', () => {
  const loadBalancer = resource('aws:lb/loadBalancer:LoadBalancer', {
    loadBalancerType: 'application',
    securityGroups: ['sg-alb'],
  });
  const ingress = (props: Record<string, unknown>) =>
    resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', {
      securityGroupId: 'sg-alb',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      ...props,
    });

  it('fails an address range, another group, or a foreign prefix list', async () => {
    expect(
      await check(
        albIngressFromCloudFrontOnly,
        loadBalancer,
        ingress({ cidrIpv4: '0.0.0.0/0' }),
        ingress({ referencedSecurityGroupId: 'sg-other' }),
        ingress({ prefixListId: 'pl-0123456789abcdef0' }),
        resource('aws:ec2/securityGroup:SecurityGroup', {
          id: 'sg-alb',
          ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['10.0.0.0/8'] }],
        }),
      ),
    ).toEqual([
      expect.stringContaining('admits the address range 0.0.0.0/0'),
      expect.stringContaining('admits another security group'),
      expect.stringContaining("admits pl-0123456789abcdef0, not CloudFront's"),
      expect.stringContaining('admits the address range 10.0.0.0/8'),
    ]);
  });

  it("passes CloudFront's origin-facing prefix list, and leaves other groups alone", async () => {
    expect(
      await check(
        albIngressFromCloudFrontOnly,
        loadBalancer,
        ingress({ prefixListId: 'pl-4fa04526' }),
        resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', {
          securityGroupId: 'sg-service',
          referencedSecurityGroupId: 'sg-alb',
        }),
      ),
    ).toEqual([]);
  });
});
