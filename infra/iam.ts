import * as pulumi from '@pulumi/pulumi';

/** One IAM policy statement; resources may be Outputs (ARNs of resources in this stack). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, string | string[]> | '*';
  Action: string | string[];
  Resource: pulumi.Input<string | string[]> | pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/** An IAM policy document as JSON, resolving any ARNs that are still Outputs. */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** A trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/** Lets a delivering service (VPC flow logs) write to one log group and nothing else. */
export function logsDeliveryPolicy(logGroupArn: pulumi.Input<string>): pulumi.Output<string> {
  return policyDocument([
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`],
    },
  ]);
}
