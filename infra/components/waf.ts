import { ADMIN_SESSION_PATH } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { CHAT_PATH } from './edgePaths';

/**
 * The edge's WAF: the web ACL CloudFront is guarded by, its rules and its logging. Its resources
 * are children of the Edge component (the caller passes itself as parent), so they kept their
 * URNs when they moved here from edge.ts.
 */

export interface WafSettings {
  /** Requests per IP per 5 minutes, all paths. */
  rateLimit: number;
  /** Requests per IP per 5 minutes on the chat transport; 0 for no separate limit. */
  chatRateLimit: number;
  /** Console sign-in attempts (POST /v1/admin/session) per IP per 5 minutes. */
  signInRateLimit: number;
  blockedCountries: string[];
  /** AWS's managed rule groups: IP reputation, common attacks, known bad inputs. */
  managedRules: boolean;
}

/**
 * The CloudFront-scope web ACL with the stack's rules, and a log of what it blocks or counts. WAF
 * is global and configured through us-east-1: `opts` names that provider and the Edge as parent.
 */
export function edgeWebAcl(
  name: string,
  args: { waf: WafSettings; logRetentionDays: number },
  opts: pulumi.CustomResourceOptions,
): { webAcl: aws.wafv2.WebAcl; metricName: string } {
  const metricName = `${name}-waf`;
  const webAcl = new aws.wafv2.WebAcl(
    `${name}-waf`,
    {
      scope: 'CLOUDFRONT',
      description: 'LoreChat edge: managed rules, per-IP rate limits',
      defaultAction: { allow: {} },
      rules: webAclRules(args.waf),
      visibilityConfig: visibility(metricName),
    },
    opts,
  );
  // WAF delivers only to log groups whose names start with aws-waf-logs-.
  const wafLogs = new aws.cloudwatch.LogGroup(
    `${name}-waf`,
    { name: `aws-waf-logs-${name}`, retentionInDays: args.logRetentionDays },
    opts,
  );
  new aws.wafv2.WebAclLoggingConfiguration(
    `${name}-waf`,
    {
      resourceArn: webAcl.arn,
      logDestinationConfigs: [wafLogs.arn],
      redactedFields: WAF_REDACTED_FIELDS,
      // Blocked and counted requests only: allowed traffic is in the load balancer's logs,
      // and logging every chat request would cost more than the WAF itself.
      loggingFilter: {
        defaultBehavior: 'DROP',
        filters: [
          {
            behavior: 'KEEP',
            requirement: 'MEETS_ANY',
            conditions: [
              { actionCondition: { action: 'BLOCK' } },
              { actionCondition: { action: 'COUNT' } },
            ],
          },
        ],
      },
    },
    opts,
  );
  return { webAcl, metricName };
}

/**
 * The web ACL's rules, in evaluation order. Geo blocking and IP reputation first, so known-bad
 * traffic costs nothing further; then the rate limits; then AWS's managed rule groups. Each rule
 * and rule group is billed monthly, so a stack can leave out the managed groups and the chat limit.
 */
export function webAclRules(waf: WafSettings): aws.types.input.wafv2.WebAclRule[] {
  const rules: Omit<aws.types.input.wafv2.WebAclRule, 'priority'>[] = [];
  if (waf.blockedCountries.length > 0) {
    rules.push({
      name: 'geo-block',
      action: { block: {} },
      statement: { geoMatchStatement: { countryCodes: waf.blockedCountries } },
      visibilityConfig: visibility('geo-block'),
    });
  }
  if (waf.managedRules) rules.push(managedRuleGroup('AWSManagedRulesAmazonIpReputationList'));
  rules.push({
    name: 'rate-limit-per-ip',
    action: { block: {} },
    statement: { rateBasedStatement: { limit: waf.rateLimit, aggregateKeyType: 'IP' } },
    visibilityConfig: visibility('rate-limit-per-ip'),
  });
  if (waf.chatRateLimit > 0) {
    rules.push({
      name: 'chat-rate-limit-per-ip',
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: waf.chatRateLimit,
          aggregateKeyType: 'IP',
          scopeDownStatement: {
            byteMatchStatement: {
              searchString: CHAT_PATH,
              positionalConstraint: 'STARTS_WITH',
              fieldToMatch: { uriPath: {} },
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        },
      },
      visibilityConfig: visibility('chat-rate-limit-per-ip'),
    });
  }
  rules.push({
    name: 'sign-in-rate-limit-per-ip',
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit: waf.signInRateLimit,
        aggregateKeyType: 'IP',
        scopeDownStatement: {
          andStatement: {
            statements: [
              {
                byteMatchStatement: {
                  searchString: 'POST',
                  positionalConstraint: 'EXACTLY',
                  fieldToMatch: { method: {} },
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
              {
                byteMatchStatement: {
                  searchString: ADMIN_SESSION_PATH,
                  positionalConstraint: 'EXACTLY',
                  fieldToMatch: { uriPath: {} },
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
          },
        },
      },
    },
    visibilityConfig: visibility('sign-in-rate-limit-per-ip'),
  });
  if (waf.managedRules) {
    // Visitors' questions legitimately contain code such as `<script src=…>` (how to embed the
    // widget); the backend treats them as text and limits their size itself, so these two body
    // rules only count.
    rules.push(
      managedRuleGroup('AWSManagedRulesCommonRuleSet', [
        'CrossSiteScripting_BODY',
        'SizeRestrictions_BODY',
      ]),
    );
    rules.push(managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet'));
  }
  return rules.map((rule, priority) => ({ ...rule, priority }));
}

/** Headers whose values never reach the WAF logs, and the query string (Socket.IO session ids). */
export const WAF_REDACTED_FIELDS: aws.types.input.wafv2.WebAclLoggingConfigurationRedactedField[] =
  [
    { singleHeader: { name: 'authorization' } },
    { singleHeader: { name: 'cookie' } },
    { queryString: {} },
  ];

function managedRuleGroup(
  name: string,
  countOnly: string[] = [],
): Omit<aws.types.input.wafv2.WebAclRule, 'priority'> {
  return {
    name,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(countOnly.length > 0 && {
          ruleActionOverrides: countOnly.map((rule) => ({
            name: rule,
            actionToUse: { count: {} },
          })),
        }),
      },
    },
    visibilityConfig: visibility(name),
  };
}

function visibility(metricName: string): aws.types.input.wafv2.WebAclRuleVisibilityConfig {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}
