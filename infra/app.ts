import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_MODULES } from '../functions/routes.js';
import { STEP_MODULES } from './constructs/batch-workflow.js';
import { BatchlineStack } from './stacks/batchline-stack.js';

/**
 * Handler modules whose code imports onnxruntime-node, so their package ships its native addon (34 MB): model
 * packages are validated by loading them, prepare checks the input against the model, and the chunk step scores.
 * infra/scripts/synth-smoke.sh fails when a bundle imports it without shipping it.
 */
const ONNX_RUNTIME_MODULES = ['model-packages', STEP_MODULES.prepare, STEP_MODULES.scoreChunk];

/** The download streams while a job runs, so it has its own response-streaming function. */
const STREAMING_ROUTES = [{ path: '/batchPredictions/{id}/download', handler: 'download' }];

const app = new App();
const retentionHours = app.node.tryGetContext('retentionHours');
const longStreamUrl = app.node.tryGetContext('longStreamUrl');
const jobRuntimeLimitHours = app.node.tryGetContext('jobRuntimeLimitHours');
const maxConcurrentJobsPerDeployment = app.node.tryGetContext('maxConcurrentJobsPerDeployment');
const vpcId = app.node.tryGetContext('vpcId');
new BatchlineStack(app, 'BatchlineStack', {
  description: 'Batchline: self-hosted, DataRobot-compatible batch scoring for ONNX models',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  apiModules: API_MODULES,
  streamingRoutes: STREAMING_ROUTES,
  uploadReceivedModule: 'upload-received',
  onnxRuntimeModules: ONNX_RUNTIME_MODULES,
  ...(retentionHours === undefined ? {} : { retentionHours: Number(retentionHours) }),
  ...(longStreamUrl === undefined ? {} : { longStreamUrl: String(longStreamUrl) }),
  ...(jobRuntimeLimitHours === undefined ? {} : { jobRuntimeLimitHours: Number(jobRuntimeLimitHours) }),
  ...(maxConcurrentJobsPerDeployment === undefined
    ? {}
    : { maxConcurrentJobsPerDeployment: Number(maxConcurrentJobsPerDeployment) }),
  ...(vpcId === undefined ? {} : { vpcId: String(vpcId) }),
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
