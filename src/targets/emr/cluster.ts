// The transient cluster: RunJobFlow built as a pure function of the Plan, the step included.
import type {
  BootstrapActionConfig,
  Configuration,
  InstanceGroupConfig,
  RunJobFlowCommandInput,
  StepConfig,
} from '@aws-sdk/client-emr';
import type { DeployPlan } from '../target.js';
import { type ClusterSpec, configError, type EmrSettings } from './settings.js';

/** Tag keys the action puts on transient clusters, so `find` and cleanup can tell them apart. */
export const TAG = {
  app: 'spark-deploy-action:app',
  environment: 'spark-deploy-action:environment',
  run: 'spark-deploy-action:run',
} as const;

/** DEFAULT_INSTANCE_GROUPS is used when emr.cluster.instanceGroups is not set: one primary, two core nodes. */
export const DEFAULT_INSTANCE_GROUPS: NonNullable<ClusterSpec['instanceGroups']> = [
  { role: 'MASTER', instanceType: 'm5.xlarge', count: 1 },
  { role: 'CORE', instanceType: 'm5.xlarge', count: 2 },
];

function instanceGroups(plan: DeployPlan, spec: ClusterSpec): InstanceGroupConfig[] {
  const groups = spec.instanceGroups ?? DEFAULT_INSTANCE_GROUPS;
  const path = ['emr', 'cluster', 'instanceGroups'];
  const masters = groups.filter((g) => g.role === 'MASTER');
  if (masters.length !== 1 || (masters[0]?.count !== 1 && masters[0]?.count !== 3)) {
    throw configError(
      plan,
      path,
      'needs exactly one MASTER group with count 1 (or 3 for a multi-primary cluster)',
    );
  }
  return groups.map((g, i) => {
    if (g.bidPrice !== undefined && g.market !== 'SPOT') {
      throw configError(plan, [...path, i, 'bidPrice'], 'bidPrice applies only to market: SPOT');
    }
    return {
      Name: `${g.role.toLowerCase()}${g.market === 'SPOT' ? '-spot' : ''}`,
      InstanceRole: g.role,
      InstanceType: g.instanceType,
      InstanceCount: g.count,
      Market: g.market ?? 'ON_DEMAND',
      ...(g.bidPrice !== undefined ? { BidPrice: g.bidPrice } : {}),
    };
  });
}

function bootstrapActions(spec: ClusterSpec): BootstrapActionConfig[] {
  return (spec.bootstrapActions ?? []).map((b) => ({
    Name: b.name,
    ScriptBootstrapAction: { Path: b.path, Args: [...(b.args ?? [])] },
  }));
}

/**
 * buildRunJobFlow is the RunJobFlow request for a transient cluster running exactly our step: Spark
 * installed, not kept alive once the step ends (KeepJobFlowAliveWhenNoSteps false), an idle timeout as a
 * second guard, our tags on it. Roles default to EMR_DefaultRole / EMR_EC2_DefaultRole.
 */
export function buildRunJobFlow(plan: DeployPlan, s: EmrSettings, step: StepConfig): RunJobFlowCommandInput {
  if (s.cluster.kind !== 'transient') throw new Error('buildRunJobFlow needs emr.cluster');
  const spec = s.cluster.spec;
  const tags: Record<string, string> = {
    ...(spec.tags ?? {}),
    [TAG.app]: s.appName,
    [TAG.environment]: s.environment,
    [TAG.run]: [plan.context.sha.slice(0, 7), plan.context.runId].filter(Boolean).join('-'),
  };
  return {
    Name: spec.name ?? s.stepName,
    ReleaseLabel: spec.releaseLabel,
    ...(spec.logUri ? { LogUri: spec.logUri } : {}),
    Applications: [{ Name: 'Spark' }],
    Instances: {
      InstanceGroups: instanceGroups(plan, spec),
      KeepJobFlowAliveWhenNoSteps: false,
      TerminationProtected: false,
      ...(spec.subnetId ? { Ec2SubnetId: spec.subnetId } : {}),
      ...(spec.keyName ? { Ec2KeyName: spec.keyName } : {}),
    },
    ...(spec.bootstrapActions?.length ? { BootstrapActions: bootstrapActions(spec) } : {}),
    ...(spec.configurations?.length ? { Configurations: spec.configurations as Configuration[] } : {}),
    Steps: [step],
    ServiceRole: spec.serviceRole ?? 'EMR_DefaultRole',
    JobFlowRole: spec.jobFlowRole ?? 'EMR_EC2_DefaultRole',
    VisibleToAllUsers: true,
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...(spec.idleTimeoutSeconds ? { AutoTerminationPolicy: { IdleTimeout: spec.idleTimeoutSeconds } } : {}),
  };
}
