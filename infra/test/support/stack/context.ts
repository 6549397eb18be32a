import {
  PROJECT,
  SECRET_KEYS,
  parseStackConfig,
  type ConfigKey,
  type StackConfig,
} from '../../../config';
import { type ProgramRun } from '../../../simulation/runProgram';
import { engineConfig, simulatedDeployment } from '../../../simulation/stackFiles';

/** The shape each stack is meant to have (docs/deploy.md), checked on top of "resources match the stack file". */
export interface StackShape {
  availabilityZones: number;
  /** `all`: no on-demand Fargate at all; `on-demand base`: at least one task off Spot. */
  spot: 'all' | 'on-demand base';
  deletionProtection: boolean;
  customDomain: boolean;
  redis: boolean;
  bedrock: boolean;
  /** Self-hosted Qdrant nodes: 1, or a cluster of one node per zone. */
  qdrantNodes: number;
}

/**
 * The configuration the stack file gives with what an operator sets before deploying it,
 * validated the way the program validates it.
 */
export function stackConfigOf(stack: string): StackConfig {
  const { values, secretKeys } = engineConfig(stack, simulatedDeployment(stack));
  const lorechat: Partial<Record<ConfigKey, string>> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(`${PROJECT}:`)) lorechat[key.slice(PROJECT.length + 1) as ConfigKey] = value;
  }
  return parseStackConfig({
    stack,
    aws: {
      region: values['aws:region'],
      allowedAccountIds: values['aws:allowedAccountIds'],
      assumeRoles: values['aws:assumeRoles'],
    },
    values: lorechat,
    secretsSet: new Set(
      SECRET_KEYS.filter(
        (key) => secretKeys.includes(`${PROJECT}:${key}`) && values[`${PROJECT}:${key}`],
      ),
    ),
  });
}

/** What every area of the stack suite reads: the stack, its expected shape and the one run. */
export interface StackContext {
  stack: string;
  shape: StackShape;
  config: StackConfig;
  /** The program's run under mocks, available once the suite's `beforeAll` is done. */
  run: () => ProgramRun;
  /** The id AWS gave the security group `<prefix>-<name>`. */
  securityGroupId: (name: string) => string;
}
