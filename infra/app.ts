import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_MODULES } from '../functions/routes.js';
import { parseAppContext, stackIdFor, stackPropsFrom } from './config.js';
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
// Configuration comes from the context (cdk.json, `--context key=value`); README "Configuration" lists the keys.
const context = parseAppContext((key) => app.node.tryGetContext(key));
new BatchlineStack(app, stackIdFor(context), {
  description: 'Batchline: self-hosted, DataRobot-compatible batch scoring for ONNX models',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  apiModules: API_MODULES,
  streamingRoutes: STREAMING_ROUTES,
  uploadReceivedModule: 'upload-received',
  onnxRuntimeModules: ONNX_RUNTIME_MODULES,
  ...stackPropsFrom(context),
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
