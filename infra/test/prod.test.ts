import { describeStack } from './support/stackSuite';

describeStack('prod', {
  availabilityZones: 3,
  spot: 'on-demand base',
  deletionProtection: true,
  customDomain: true,
  redis: true,
  bedrock: true,
  qdrantNodes: 3,
});
