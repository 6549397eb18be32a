import { describeStack } from './support/stackSuite';

describeStack('staging', {
  availabilityZones: 2,
  spot: 'on-demand base',
  deletionProtection: false,
  customDomain: true,
  redis: true,
  bedrock: true,
  qdrantNodes: 1,
});
