import { describe, expect, it } from 'vitest';
import { type ObjectCreatedEvent, onInputUploaded } from '../../../functions/upload-received.js';
import { putInputPart } from '../../../shared/use-cases/jobs/input-upload.js';
import { messyCsv, useJobHarness } from '../use-cases/jobs/harness.js';

const h = useJobHarness(1 << 20);

/** What S3 sends EventBridge for a PutObject, as the rule in infra/constructs/upload-completion.ts matches it. */
function objectCreated(key: string, size: number): ObjectCreatedEvent {
  return JSON.parse(
    JSON.stringify({
      version: '0',
      id: '17793124-05d4-b198-2fde-7ededc63b103',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '111111111111',
      time: '2025-01-01T12:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:s3:::batchline-data'],
      detail: {
        version: '0',
        bucket: { name: 'batchline-data' },
        object: { key, size, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08299329D189' },
        'request-id': 'N4N7GDK58NMKJ12R',
        requester: '111111111111',
        'source-ip-address': '203.0.113.15',
        reason: 'PutObject',
      },
    }),
  ) as ObjectCreatedEvent;
}

async function uploadedByPut(spec = {}) {
  const input = Buffer.from(messyCsv(20, 41));
  const job = await h.createJob(spec);
  await putInputPart(h.manual, job.id, 0, input);
  return { job, event: objectCreated(`jobs/${job.id}/input/000000`, input.length) };
}

describe('upload-received (onInputUploaded)', () => {
  it('completes the input and starts the job once, however often the event is delivered', async () => {
    const { job, event } = await uploadedByPut();
    expect(await onInputUploaded(h.manual, event)).toBe('started');
    expect(await onInputUploaded(h.manual, event)).toBe('ignored');

    expect(h.recorded.started.filter((id) => id === job.id)).toEqual([job.id]);
    const stored = await h.job(job.id);
    expect(stored.jobIntakeSize).toBe(event.detail.object.size);
    expect(stored.logs.filter((line) => line.includes('Input received'))).toHaveLength(1);
  });

  it('starts one job when two deliveries race', async () => {
    const { job, event } = await uploadedByPut();
    const outcomes = await Promise.all([onInputUploaded(h.manual, event), onInputUploaded(h.manual, event)]);
    expect(outcomes.sort()).toEqual(['ignored', 'started']);
    expect(h.recorded.started.filter((id) => id === job.id)).toEqual([job.id]);
  });

  it('leaves part 0 of a multipart job to finalizeMultipart', async () => {
    const { job, event } = await uploadedByPut({ intakeSettings: { type: 'localFile', multipart: true } });
    expect(await onInputUploaded(h.manual, event)).toBe('ignored');
    expect(h.recorded.started).not.toContain(job.id);
    expect((await h.job(job.id)).jobIntakeSize).toBeNull();
  });

  it('ignores other keys and unknown jobs', async () => {
    const { job } = await uploadedByPut();
    for (const key of [
      `jobs/${job.id}/input/000001`,
      `jobs/${job.id}/output`,
      `models/${job.id}/model.onnx`,
    ]) {
      expect(await onInputUploaded(h.manual, objectCreated(key, 10))).toBe('ignored');
    }
    expect(await onInputUploaded(h.manual, objectCreated(`jobs/${'e'.repeat(24)}/input/000000`, 10))).toBe(
      'ignored',
    );
    expect(h.recorded.started).not.toContain(job.id);
  });
});
