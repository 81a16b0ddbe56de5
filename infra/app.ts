import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_MODULES } from '../functions/routes.js';
import { BatchlineStack } from './stacks/batchline-stack.js';

/**
 * Handler modules whose code imports onnxruntime-node, so their package ships its native addon (34 MB).
 * infra/scripts/synth-smoke.sh fails when a bundle imports it without shipping it.
 */
const ONNX_RUNTIME_MODULES = ['model-packages', 'openapi'];

const app = new App();
const retentionHours = app.node.tryGetContext('retentionHours');
new BatchlineStack(app, 'BatchlineStack', {
  description: 'Batchline: self-hosted, DataRobot-compatible batch scoring for ONNX models',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  apiModules: API_MODULES,
  onnxRuntimeModules: ONNX_RUNTIME_MODULES,
  ...(retentionHours === undefined ? {} : { retentionHours: Number(retentionHours) }),
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
