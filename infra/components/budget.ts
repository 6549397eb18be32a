import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface BudgetArgs {
  project: string;
  environment: string;
  monthlyLimitUsd: number;
  /** The alarm topic, which mails the stack's alarm address. */
  topicArn: pulumi.Input<string>;
}

/**
 * An AWS Budgets monthly cost budget for this stack alone. It counts only costs tagged
 * `Project`/`Environment`, so the two tags must be activated as cost allocation tags in the
 * Billing console once per account (docs/operations.md says how); untagged costs stay outside.
 */
export class Budget extends pulumi.ComponentResource {
  readonly budgetName: pulumi.Output<string>;

  constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:budget:Budget', name, {}, opts);

    const budget = new aws.budgets.Budget(
      `${name}-monthly`,
      {
        name: `${name}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        limitAmount: args.monthlyLimitUsd.toFixed(2),
        limitUnit: 'USD',
        filterExpression: stackCostFilter(args.project, args.environment),
        notifications: budgetNotifications(args.topicArn),
      },
      { parent: this },
    );

    this.budgetName = budget.name;
    this.registerOutputs({ budgetName: this.budgetName });
  }
}

/** Costs carrying both the project's and the stack's tag. */
export function stackCostFilter(
  project: string,
  environment: string,
): aws.types.input.budgets.BudgetFilterExpression {
  return {
    ands: [
      { tags: { key: 'Project', values: [project], matchOptions: ['EQUALS'] } },
      { tags: { key: 'Environment', values: [environment], matchOptions: ['EQUALS'] } },
    ],
  };
}

/**
 * A warning when actual spend passes 80% of the limit, with time left to act, and one as soon as
 * the forecast for the month passes 100%.
 */
export function budgetNotifications(
  topicArn: pulumi.Input<string>,
): aws.types.input.budgets.BudgetNotification[] {
  const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
    notificationType,
    comparisonOperator: 'GREATER_THAN',
    threshold,
    thresholdType: 'PERCENTAGE',
    subscriberSnsTopicArns: [topicArn],
  });
  return [notify('ACTUAL', 80), notify('FORECASTED', 100)];
}
