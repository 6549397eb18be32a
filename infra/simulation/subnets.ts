import * as ipaddr from 'ipaddr.js';
import { type RecordedResource } from './mocks';

/**
 * Where a subnet of an awsx VPC lies, as `aws.ec2.getSubnet` answers: its zone and address range.
 * awsx's `Auto` strategy gives each zone an equal power-of-two share of the VPC's range, in zone
 * order, and lays the zone's subnets out in the order of their specs from the share's start;
 * subnets of one type are listed in zone order. A subnet no VPC of the run holds is refused, as
 * AWS refuses an unknown id.
 */
export function subnetPlacement(
  resources: readonly RecordedResource[],
  subnetId: string,
  region: string,
): { availabilityZone: string; cidrBlock: string; vpcId: string } {
  for (const vpc of resources.filter((resource) => resource.type === 'awsx:ec2:Vpc')) {
    const zones = Number(vpc.inputs.numberOfAvailabilityZones ?? 3);
    const specs =
      (vpc.inputs.subnetSpecs as { type: string; cidrMask: number }[] | undefined) ?? [];
    for (const [specIndex, spec] of specs.entries()) {
      const ids =
        (vpc.outputs[`${spec.type.toLowerCase()}SubnetIds`] as string[] | undefined) ?? [];
      const zone = ids.indexOf(subnetId);
      if (zone < 0) continue;
      const [network, prefix] = ipaddr.IPv4.parseCIDR(String(vpc.inputs.cidrBlock));
      const zonePrefix = prefix + Math.ceil(Math.log2(zones));
      const offset =
        zone * 2 ** (32 - zonePrefix) +
        specs.slice(0, specIndex).reduce((sum, earlier) => sum + 2 ** (32 - earlier.cidrMask), 0);
      return {
        availabilityZone: `${region}${'abcdef'[zone] ?? 'a'}`,
        cidrBlock: `${addressPlus(network, offset)}/${spec.cidrMask}`,
        vpcId: String(vpc.outputs.vpcId),
      };
    }
  }
  throw new Error(`InvalidSubnetID.NotFound: the subnet ${subnetId} does not exist`);
}

function addressPlus(address: ipaddr.IPv4, offset: number): string {
  const value = address.toByteArray().reduce((sum, byte) => sum * 256 + byte, 0) + offset;
  return ipaddr
    .fromByteArray([24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256))
    .toString();
}
