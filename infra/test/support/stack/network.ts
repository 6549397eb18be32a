import { BACKEND_PORT } from '../../../backend';
import { CLOUDFRONT_ORIGIN_PREFIX_LIST } from '../../../components/loadBalancer';
import { SIMULATED_PREFIX_LIST_ID } from '../../../simulation/mocks';
import { allOf, arnOf, asList, oneOf, rolePolicy } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** The VPC, its flow logs and the security groups that keep traffic on its one path. */
export function describeNetwork(context: StackContext): void {
  const { shape, config, securityGroupId } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  const ingressRules = () =>
    allOf(run, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');
  describe('network', () => {
    it('spans the configured zones with public and isolated subnets and no NAT gateway', () => {
      const vpc = oneOf(run, 'awsx:ec2:Vpc');
      // Each subnet a sixteenth of the VPC's range: a /16 gets /20s.
      const subnetMask = Number(config.network.vpcCidr.split('/')[1]) + 4;
      expect(vpc.inputs).toMatchObject({
        numberOfAvailabilityZones: config.network.availabilityZones,
        cidrBlock: config.network.vpcCidr,
        natGateways: { strategy: 'None' },
        subnetStrategy: 'Auto',
        subnetSpecs: [
          { type: 'Public', cidrMask: subnetMask },
          { type: 'Isolated', cidrMask: subnetMask },
        ],
      });
    });

    it('records all VPC traffic in flow logs with retention', () => {
      const flowLog = oneOf(run, 'aws:ec2/flowLog:FlowLog');
      const group = oneOf(
        run,
        'aws:cloudwatch/logGroup:LogGroup',
        `${config.resourcePrefix}-flow-logs`,
      );
      expect(flowLog.inputs).toMatchObject({
        vpcId: oneOf(run, 'awsx:ec2:Vpc').outputs.vpcId,
        trafficType: 'ALL',
        logDestination: arnOf(group),
      });
      const delivery = rolePolicy(run, `${config.resourcePrefix}-flow-logs`);
      expect(delivery.Statement.flatMap((statement) => asList(statement.Resource))).toEqual([
        arnOf(group),
        `${arnOf(group)}:*`,
      ]);
    });

    it('admits nothing from 0.0.0.0/0 or ::/0, and has no inline rules to hide any', () => {
      for (const group of allOf(run, 'aws:ec2/securityGroup:SecurityGroup')) {
        expect(group.inputs.ingress ?? []).toEqual([]);
      }
      expect(allOf(run, 'aws:ec2/securityGroupRule:SecurityGroupRule')).toEqual([]);
      for (const rule of ingressRules()) {
        expect(rule.inputs.cidrIpv4).toBeUndefined();
        expect(rule.inputs.cidrIpv6).toBeUndefined();
        expect(rule.inputs.prefixListId ?? rule.inputs.referencedSecurityGroupId).toBeDefined();
      }
    });

    it('lets only CloudFront reach the load balancer, on its one listener port', () => {
      const port = shape.customDomain ? 443 : 80;
      const rules = ingressRules().filter(
        (rule) => rule.inputs.securityGroupId === securityGroupId('alb'),
      );
      expect(rules.map((rule) => rule.inputs)).toEqual([
        expect.objectContaining({
          prefixListId: SIMULATED_PREFIX_LIST_ID,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
        }),
      ]);
      expect(run.calls).toContainEqual(
        expect.objectContaining({
          token: 'aws:ec2/getManagedPrefixList:getManagedPrefixList',
          inputs: expect.objectContaining({ name: CLOUDFRONT_ORIGIN_PREFIX_LIST }),
        }),
      );
    });

    it('lets only the load balancer reach the tasks, and only the tasks reach the data', () => {
      const byGroup = (name: string) =>
        ingressRules()
          .filter((rule) => rule.inputs.securityGroupId === securityGroupId(name))
          .map((rule) => rule.inputs);
      expect(byGroup('service')).toEqual([
        expect.objectContaining({
          referencedSecurityGroupId: securityGroupId('alb'),
          fromPort: BACKEND_PORT,
          toPort: BACKEND_PORT,
        }),
      ]);
      // A cluster's nodes also reach each other on the peer-to-peer port (./qdrant.ts).
      expect(
        byGroup('qdrant').filter(
          (rule) => rule.referencedSecurityGroupId !== securityGroupId('qdrant'),
        ),
      ).toEqual([
        expect.objectContaining({ referencedSecurityGroupId: securityGroupId('service') }),
      ]);
      if (shape.redis) {
        expect(byGroup('redis')).toEqual([
          expect.objectContaining({ referencedSecurityGroupId: securityGroupId('service') }),
        ]);
      } else {
        expect(
          allOf(run, 'aws:ec2/securityGroup:SecurityGroup').map((group) => group.name),
        ).not.toContain(`${config.resourcePrefix}-redis`);
      }
    });
  });
}
