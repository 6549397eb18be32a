import { describeStack } from './support/stackSuite';

describeStack('dev', {
  availabilityZones: 2,
  spot: 'all',
  deletionProtection: false,
  customDomain: false,
  redis: false,
  bedrock: false,
  qdrantNodes: 1,
});
