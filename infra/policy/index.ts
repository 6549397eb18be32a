import { PolicyPack } from '@pulumi/policy';
import { policies } from './rules';

/**
 * The LoreChat policy pack, served to the Pulumi engine by `pulumi preview --policy-pack
 * infra/policy`. Every rule is mandatory: a violation fails the preview or update. The rules live
 * in rules.ts, where tests run them without starting this server.
 */
new PolicyPack('lorechat', {
  description: 'LoreChat security and cost rules for its AWS stacks',
  enforcementLevel: 'mandatory',
  policies,
});
