/**
 * S3 client settings and bucket setup for running against a local S3 emulator (s3rver). On AWS the default
 * client configuration and a CDK-made bucket are used instead.
 */
import {
  CreateBucketCommand,
  HeadBucketCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';

/**
 * Client settings for s3rver at `endpoint`: its fixed credentials, path-style addressing, and checksums only
 * where S3 demands them, because s3rver does not understand the SDK's default streamed checksum trailers
 * and stores the framed bytes instead of the object.
 */
export function localS3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** Creates `bucket` unless it already exists. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}
