import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/observability/metric-names.js';

/** The window every alarm and dashboard figure sums over. */
const PERIOD = Duration.minutes(5);
const WIDGET_WIDTH = 8;

export interface ObservabilityProps {
  /** The handler functions, by handler module (alarm names say which module failed). */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  readonly restApi: apigw.RestApi;
  readonly stateMachine: sfn.IStateMachine;
  /** Dead-letter queues by a unique name, which names their alarm; any message in one is an alarm. */
  readonly deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** An address the alarm topic mails (it must confirm the subscription); absent, subscribe to the topic yourself. */
  readonly alarmEmail?: string;
}

/**
 * Alarms and a dashboard for one deployment. Every alarm notifies {@link alarmTopic} when it fires and again when
 * it clears: a failed or timed-out job execution, a throttled execution start, an API 5xx, a handler function's
 * errors or throttles, and any message in a dead-letter queue. The dashboard shows the job metrics the handlers
 * emit (shared/observability/metric-names.ts) beside the AWS services' own.
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.prefix = Stack.of(this).stackName;
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Batchline alarms (${this.prefix})`,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    NagSuppressions.addResourceSuppressions(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and metric values only; CloudWatch cannot publish to a topic under the AWS-managed SNS key.',
      },
    ]);

    const machine = props.stateMachine;
    this.alarm('ExecutionsFailed', machine.metricFailed({ period: PERIOD }), 'A job execution failed');
    this.alarm(
      'ExecutionsTimedOut',
      machine.metricTimedOut({ period: PERIOD }),
      'A job hit its runtime limit',
    );
    this.alarm(
      'ExecutionsThrottled',
      machine.metricThrottled({ period: PERIOD }),
      'Step Functions throttled a job execution',
    );
    this.alarm(
      'Api5xx',
      props.restApi.deploymentStage.metricServerError({ period: PERIOD }),
      'The API answered with a 5xx',
    );
    for (const [module, fn] of props.functions) {
      this.alarm(`${module}-Errors`, fn.metricErrors({ period: PERIOD }), `The ${module} function failed`);
      this.alarm(
        `${module}-Throttles`,
        fn.metricThrottles({ period: PERIOD }),
        `Lambda throttled the ${module} function`,
      );
    }
    for (const [name, queue] of props.deadLetterQueues) {
      this.alarm(
        name,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        `Events could not be delivered and wait in the dead-letter queue ${name}`,
      );
    }
    this.dashboard = this.buildDashboard(props);
  }

  /** An alarm on `metric` reaching 1 in a period, notifying the alarm topic; no data is not a breach. */
  private alarm(name: string, metric: cloudwatch.IMetric, description: string): void {
    const alarm = new cloudwatch.Alarm(this, `${name}Alarm`, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new actions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    this.alarms.push(alarm);
  }

  private buildDashboard(props: ObservabilityProps): cloudwatch.Dashboard {
    const machine = props.stateMachine;
    // By stage too: every Batchline stack's REST API has the same name.
    const api = props.restApi.deploymentStage;
    const functions = [...props.functions];
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: WIDGET_WIDTH });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.prefix,
      defaultInterval: Duration.days(1),
    });
    dashboard.addWidgets(
      graph('Jobs', [
        jobMetric(METRIC.jobsCreated, 'Sum'),
        jobMetric(METRIC.jobsCompleted, 'Sum'),
        jobMetric(METRIC.jobsAborted, 'Sum'),
      ]),
      graph('Rows of completed jobs', [
        jobMetric(METRIC.rowsScored, 'Sum'),
        jobMetric(METRIC.rowsFailed, 'Sum'),
      ]),
      graph('Chunk duration on Lambda (ms)', [
        jobMetric(METRIC.chunkDuration, 'p50'),
        jobMetric(METRIC.chunkDuration, 'p90'),
        jobMetric(METRIC.chunkDuration, 'Maximum'),
      ]),
    );
    dashboard.addWidgets(
      graph('Job executions', [
        machine.metricStarted({ period: PERIOD }),
        machine.metricSucceeded({ period: PERIOD }),
        machine.metricFailed({ period: PERIOD }),
        machine.metricTimedOut({ period: PERIOD }),
      ]),
      graph('API requests', [
        api.metricCount({ period: PERIOD }),
        api.metricClientError({ period: PERIOD }),
        api.metricServerError({ period: PERIOD }),
      ]),
      graph('API latency (ms)', [
        api.metricLatency({ period: PERIOD, statistic: 'p50' }),
        api.metricLatency({ period: PERIOD, statistic: 'p90' }),
        api.metricLatency({ period: PERIOD, statistic: 'p99' }),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Function errors',
        functions.map(([module, fn]) => fn.metricErrors({ period: PERIOD, label: module })),
      ),
      graph(
        'Function throttles',
        functions.map(([module, fn]) => fn.metricThrottles({ period: PERIOD, label: module })),
      ),
      graph(
        'Function duration p90 (ms)',
        functions.map(([module, fn]) =>
          fn.metricDuration({ period: PERIOD, statistic: 'p90', label: module }),
        ),
      ),
    );
    dashboard.addWidgets(
      graph(
        'Dead-letter queues',
        [...props.deadLetterQueues].map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
            label: name,
          }),
        ),
      ),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 2 * WIDGET_WIDTH }),
    );
    return dashboard;
  }
}

/** A job metric the handlers emit (shared/observability/observability.ts). */
function jobMetric(metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic,
    period: PERIOD,
    label: statistic === 'Sum' ? metricName : `${metricName} ${statistic}`,
  });
}
