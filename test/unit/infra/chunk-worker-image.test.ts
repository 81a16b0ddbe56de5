import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FargateChunkWorker } from '../../../infra/constructs/fargate-chunk-worker.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface DockerImageAsset {
  source: { directory: string; platform?: string; dockerFile?: string };
}

/**
 * There is no Docker daemon here, so the image is not built: these tests check what `cdk deploy` will build it
 * from, the staged build context and the asset's metadata in the synthesized cloud assembly.
 */
describe('chunk worker image', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'batchline-image-'));
  let image: DockerImageAsset;
  let context: string;
  let template: Template;

  beforeAll(() => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Image', { env: { account: '111111111111', region: 'eu-west-1' } });
    new FargateChunkWorker(stack, 'ChunkWorker', {
      projectRoot: ROOT,
      buildImage: true,
      environment: {},
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    template = Template.fromStack(stack);
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'Image.assets.json'), 'utf8')) as {
      dockerImages: Record<string, DockerImageAsset>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    image = images[0] as DockerImageAsset;
    context = join(outdir, image.source.directory);
  }, 60_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("is built for linux/arm64 from the repository's Dockerfile when the app is deployed", () => {
    expect(image.source.platform).toBe('linux/arm64');
    expect(image.source.dockerFile ?? 'Dockerfile').toBe('Dockerfile');
    expect(readFileSync(join(context, 'Dockerfile'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'Dockerfile'), 'utf8'),
    );
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as Array<{
      Properties: { ContainerDefinitions: Array<{ Image: unknown }> };
    }>;
    // The image is the asset pushed to the bootstrap's container asset repository, tagged with its hash.
    expect(JSON.stringify(task?.Properties.ContainerDefinitions[0]?.Image)).toContain('container-assets');
  });

  it('stages what the Dockerfile builds from, and none of the dependencies, tests or build output', () => {
    for (const needed of [
      'package.json',
      'package-lock.json',
      '.npmrc',
      'tsconfig.build.json',
      'shared',
      'functions',
    ]) {
      expect(existsSync(join(context, needed)), needed).toBe(true);
    }
    expect(existsSync(join(context, 'functions', 'chunk-worker-main.ts'))).toBe(true);
    for (const unwanted of [
      'node_modules',
      '.git',
      'dist',
      'cdk.out',
      'bench',
      'docs',
      'test/unit',
      '.batchline',
    ]) {
      expect(existsSync(join(context, unwanted)), unwanted).toBe(false);
    }
    expect(readdirSync(context).filter((name) => name.endsWith('.md'))).toEqual([]);
  });
});
