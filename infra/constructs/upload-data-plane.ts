import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** KeyValueStore key holding the HMAC secret the viewer function checks upload URLs with. */
export const UPLOAD_SECRET_KVS_KEY = 'uploadSecret';
export const UPLOAD_PATH_PATTERN = '/upload/*';
export const FINALIZE_PATH_PATTERN = '/upload/*/finalizeMultipart';

const functionFile = (name: string): string =>
  fileURLToPath(new URL(`../data-plane/${name}`, import.meta.url));

export interface UploadDataPlaneProps {
  readonly bucket: s3.IBucket;
  readonly logsBucket: s3.IBucket;
  /** The REST API that finalizes multipart uploads, reached as `https://<id>.execute-api.<region>/<stage>`. */
  readonly restApiId: string;
  readonly apiStage: string;
}

/**
 * The upload data plane (docs/data-plane.md): CloudFront takes a client's whole PUT, a viewer function checks the
 * signed per-job URL, drops the client's Authorization header and rewrites to `jobs/<id>/input/<part>`, and Origin
 * Access Control writes it to S3. `finalizeMultipart` goes to the API instead.
 */
export class UploadDataPlane extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly signingKeys: cloudfront.KeyValueStore;
  /** The upload-signing secret the API signs with; copied into {@link signingKeys} (see docs/deploy.md). */
  readonly uploadSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: UploadDataPlaneProps) {
    super(scope, id);
    this.uploadSecret = new secretsmanager.Secret(this, 'UploadSecret', {
      description: 'HMAC-SHA256 key signing Batchline upload URLs',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.signingKeys = new cloudfront.KeyValueStore(this, 'SigningKeys', {
      comment: 'Batchline upload URL signing key',
    });
    const checkUpload = new cloudfront.Function(this, 'UploadViewerRequest', {
      code: cloudfront.FunctionCode.fromFile({ filePath: functionFile('upload-viewer-request.js') }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.signingKeys,
      comment: 'Checks signed upload URLs and maps them to job input objects',
    });
    const acceptUpload = new cloudfront.Function(this, 'UploadViewerResponse', {
      code: cloudfront.FunctionCode.fromFile({ filePath: functionFile('upload-viewer-response.js') }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Answers stored uploads with 202 and refused overwrites with 409',
    });
    const onRequest = { function: checkUpload, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST };
    const onResponse = { function: acceptUpload, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE };

    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'BucketAccess', {
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const bucketOrigin = new JobInputOrigin(props.bucket, originAccessControl.originAccessControlId);
    const apiOrigin = new origins.HttpOrigin(
      `${props.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`,
      { originPath: `/${props.apiStage}`, protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY },
    );
    const uploadHeaders = new cloudfront.OriginRequestPolicy(this, 'UploadHeaders', {
      comment: 'Only the conditional-write header reaches S3; no query string, no cookies',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('if-none-match'),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const uncached = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Batchline upload data plane',
      // Everything outside the upload scheme gets the function's 404; no object is ever readable.
      defaultBehavior: { ...uncached, origin: bucketOrigin, functionAssociations: [onRequest] },
      additionalBehaviors: {
        [FINALIZE_PATH_PATTERN]: {
          ...uncached,
          origin: apiOrigin,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          functionAssociations: [onRequest],
        },
        [UPLOAD_PATH_PATTERN]: {
          ...uncached,
          origin: bucketOrigin,
          originRequestPolicy: uploadHeaders,
          functionAssociations: [onRequest, onResponse],
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logsBucket,
      logFilePrefix: 'cloudfront/',
    });

    // Write-only, and only input objects: the function cannot be talked into reading or overwriting anything else.
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DataPlaneWritesJobInput',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [props.bucket.arnForObjects('jobs/*/input/*')],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );
    this.suppressFindings();
  }

  private suppressFindings(): void {
    NagSuppressions.addResourceSuppressions(this.uploadSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Rotation must update the CloudFront KeyValueStore in the same step; manual until issue #8.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Uses the default *.cloudfront.net certificate, whose TLS policy cannot be set; custom domain in #8.',
      },
      { id: 'AwsSolutions-CFR1', reason: 'Uploads come from wherever the customer runs its clients.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Every request needs a valid HMAC-signed, expiring URL; WAF is optional.',
      },
    ]);
  }
}

/**
 * The bucket as an S3 origin with Origin Access Control, but without the bucket-wide grant
 * `S3BucketOrigin.withOriginAccessControl` adds: the stack grants PutObject on job input keys only.
 */
class JobInputOrigin extends cloudfront.OriginBase {
  constructor(bucket: s3.IBucket, originAccessControlId: string) {
    super(bucket.bucketRegionalDomainName, { originAccessControlId });
  }

  protected override renderS3OriginConfig(): cloudfront.CfnDistribution.S3OriginConfigProperty {
    return { originAccessIdentity: '' };
  }
}
