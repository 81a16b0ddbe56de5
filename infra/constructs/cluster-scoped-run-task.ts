import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** The actions CDK's runTask.sync grants on "*" to follow (and stop) the task it started. */
const TASK_ACTIONS = ['ecs:StopTask', 'ecs:DescribeTasks'];

/**
 * EcsRunTask whose grant to describe and stop the task it started covers the tasks of its own cluster only
 * (`task/<cluster>/*`, ECS's task ARN format) rather than CDK's "*": task ids exist only at run time, but the
 * cluster is known. A fixed CDK version grants the rest (RunTask on the task definition, PassRole, the events rule).
 */
export class ClusterScopedEcsRunTask extends tasks.EcsRunTask {
  constructor(scope: Construct, id: string, props: tasks.EcsRunTaskProps) {
    super(scope, id, props);
    const policies = this.taskPolicies ?? [];
    const index = policies.findIndex((statement) =>
      TASK_ACTIONS.every((action) => statement.actions.includes(action)),
    );
    if (index < 0)
      throw new Error('EcsRunTask no longer grants ecs:StopTask/DescribeTasks: review this class');
    policies[index] = new iam.PolicyStatement({
      actions: TASK_ACTIONS,
      resources: [
        Stack.of(this).formatArn({
          service: 'ecs',
          resource: 'task',
          resourceName: `${props.cluster.clusterName}/*`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    });
  }
}
