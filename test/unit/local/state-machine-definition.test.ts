import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  loadLocalDefinition,
  localFunctionArn,
  renderLocalDefinition,
  sourceFingerprint,
} from '../../../local/state-machine-definition.js';

/** A template as CDK emits it: the definition is an Fn::Join over strings, GetAtts and Refs. */
function template(options: { tagPrepare?: boolean; machines?: number } = {}): CfnTemplate {
  const machine = {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      DefinitionString: {
        'Fn::Join': [
          '',
          [
            '{"StartAt":"PrepareJob","States":{"PrepareJob":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"',
            { 'Fn::GetAtt': ['PrepareFn1234', 'Arn'] },
            '"},"Next":"Read"},"Read":{"Type":"Pass","Parameters":{"Bucket":"',
            { Ref: 'DataBucket9' },
            '","Cluster":"',
            { 'Fn::GetAtt': ['Cluster1', 'Arn'] },
            '","Region":"',
            { Ref: 'AWS::Region' },
            '"},"End":true}}}',
          ],
        ],
      },
    },
  };
  return {
    Resources: {
      PrepareFn1234: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Tags: options.tagPrepare === false ? [] : [{ Key: 'batchline:module', Value: 'step-prepare' }],
        },
      },
      DataBucket9: { Type: 'AWS::S3::Bucket' },
      Cluster1: { Type: 'AWS::ECS::Cluster' },
      ...Object.fromEntries(
        Array.from({ length: options.machines ?? 1 }, (_, i) => [`Machine${i}`, machine]),
      ),
    },
  };
}

describe('renderLocalDefinition', () => {
  it('points functions at their module, the bucket at the local one and other resources at placeholders', () => {
    expect(renderLocalDefinition(template(), 'local-bucket')).toEqual({
      StartAt: 'PrepareJob',
      States: {
        PrepareJob: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: localFunctionArn('step-prepare') },
          Next: 'Read',
        },
        Read: {
          Type: 'Pass',
          Parameters: { Bucket: 'local-bucket', Cluster: 'local-Cluster1-Arn', Region: 'local' },
          End: true,
        },
      },
    });
  });

  it('refuses a function without its module tag and a template without exactly one state machine', () => {
    expect(() => renderLocalDefinition(template({ tagPrepare: false }), 'b')).toThrow(
      'function PrepareFn1234 has no batchline:module tag',
    );
    expect(() => renderLocalDefinition(template({ machines: 2 }), 'b')).toThrow(
      'expected one state machine in the template, found 2',
    );
  });
});

describe('loadLocalDefinition', () => {
  let root: string;
  let cacheDir: string;
  let syntheses: number;
  const synthesize = async () => {
    syntheses++;
    return template();
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'batchline-src-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'batchline-cache-'));
    mkdirSync(join(root, 'infra', 'stacks'), { recursive: true });
    mkdirSync(join(root, 'functions'));
    writeFileSync(join(root, 'infra', 'stacks', 'stack.ts'), 'stack v1');
    writeFileSync(join(root, 'functions', 'step-prepare.ts'), 'prepare v1');
    writeFileSync(join(root, 'functions', 'routes.ts'), 'routes v1');
    syntheses = 0;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const load = (bucket = 'local-bucket') =>
    loadLocalDefinition({ cacheDir, bucket, synthesize, sourceRoot: root });

  it('synthesizes once and then reads the rendered definition from the cache', async () => {
    const first = await load();
    const second = await load();
    expect(first.source).toBe('synthesized');
    expect(second.source).toBe('cached');
    expect(second.definition).toEqual(first.definition);
    expect(syntheses).toBe(1);
  });

  it('synthesizes again when infra/, a step handler or the bucket changes, keeping one cached rendering', async () => {
    await load();
    writeFileSync(join(root, 'functions', 'routes.ts'), 'routes v2');
    expect((await load()).source).toBe('cached');

    writeFileSync(join(root, 'infra', 'stacks', 'stack.ts'), 'stack v2');
    expect((await load()).source).toBe('synthesized');
    writeFileSync(join(root, 'functions', 'step-prepare.ts'), 'prepare v2');
    expect((await load()).source).toBe('synthesized');
    expect((await load('other-bucket')).source).toBe('synthesized');
    expect(syntheses).toBe(4);
    expect(readdirSync(join(cacheDir, 'state-machine'))).toHaveLength(1);
  });

  it('fingerprints by content, not by timestamps', () => {
    const before = sourceFingerprint(root, 'b');
    writeFileSync(join(root, 'infra', 'stacks', 'stack.ts'), 'stack v1');
    expect(sourceFingerprint(root, 'b')).toBe(before);
  });
});
