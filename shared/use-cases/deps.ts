import type { ApiKeyStore } from '../ports/api-key-store.js';
import type { CredentialStore } from '../ports/credential-store.js';
import type { DataSourceStore } from '../ports/data-source-store.js';
import type { DataStoreStore } from '../ports/data-store-store.js';
import type { DatasetStore } from '../ports/dataset-store.js';
import type { DefinitionScheduler } from '../ports/definition-scheduler.js';
import type { JobDefinitionStore } from '../ports/definition-store.js';
import type { DeploymentStore } from '../ports/deployment-store.js';
import type { ExternalObjectStorage } from '../ports/external-object-storage.js';
import type { JobStore } from '../ports/job-store.js';
import type { ModelPackageStore } from '../ports/model-package-store.js';
import type { MonitoringStore } from '../ports/monitoring-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { ProjectStore } from '../ports/project-store.js';
import type { SqlDatabases } from '../ports/sql-database.js';
import type { Workflow } from '../ports/workflow.js';

/** Current time; injected so tests can control it. */
export interface Clock {
  now(): Date;
}

/** Settings the use cases need, read once from the environment by the composition root. */
export interface UseCaseConfig {
  /** Secret for signing data-plane upload URLs (HMAC-SHA256). */
  readonly uploadSecret: string;
  /** Base URL of the upload data plane, e.g. `https://d123.cloudfront.net` or `http://127.0.0.1:8080`. */
  readonly dataPlaneUrl: string;
  /** How long an upload URL stays valid, in seconds. */
  readonly uploadUrlSeconds: number;
  /** Target bytes per scoring chunk when the job spec leaves chunkSize to us. */
  readonly chunkBytes: number;
  /** Stored input and output expire after this many hours (bucket lifecycle on AWS, a sweeper locally). */
  readonly retentionHours: number;
  /** Jobs one deployment runs at once; further jobs wait INITIALIZING in its queue. Default 1 (DataRobot's). */
  readonly maxConcurrentJobsPerDeployment?: number;
  /** A RUNNING job older than this many hours is ended ABORTED. Default 4 (DataRobot's). */
  readonly jobRuntimeLimitHours?: number;
  /** Most bytes one job may write to an external bucket (`s3` output). Default 100 GB (DataRobot's). */
  readonly externalWriteLimitBytes?: number;
  /**
   * How finalize leaves a localFile job's output. `object` (default, AWS) joins the header and the scored parts
   * into one object, inside S3, so a download is a presigned URL; `parts` (the embedded stack, where every copy is
   * a full read and write on one disk) keeps them and the download streams them in order.
   */
  readonly outputAssembly?: 'object' | 'parts';
}

/** Everything a use case may touch, passed in explicitly (ports, never adapters). */
export interface Deps {
  readonly jobs: JobStore;
  readonly objects: ObjectStore;
  readonly deployments: DeploymentStore;
  readonly modelPackages: ModelPackageStore;
  readonly apiKeys: ApiKeyStore;
  /** Projects, prediction datasets and predict/training prediction jobs (seed 000). */
  readonly projects: ProjectStore;
  /** Stored credentials of the external data sources; secrets only through `secretOf`. */
  readonly credentials: CredentialStore;
  /** The dataset catalog (`datasets/`): datasets and their immutable versions. */
  readonly datasets: DatasetStore;
  /** JDBC data stores (`externalDataStores/`). */
  readonly dataStores: DataStoreStore;
  /** JDBC data sources (`externalDataSources/`): a query or table on a data store. */
  readonly dataSources: DataSourceStore;
  /** The SQL databases data stores point at (`jdbc` intake and output). */
  readonly sql: SqlDatabases;
  /** Users' own S3 buckets (`s3` intake and output). */
  readonly externalS3: ExternalObjectStorage;
  /** Batch prediction job definitions. */
  readonly definitions: JobDefinitionStore;
  /**
   * Deployment monitoring (settings, hourly drift/service/accuracy buckets). Every real wiring has it; test
   * harnesses that leave it out score jobs without recording anything (the monitoring routes require it).
   */
  readonly monitoring?: MonitoringStore;
  /** Fires scheduled definitions (EventBridge Scheduler on AWS, croner locally). */
  readonly scheduler: DefinitionScheduler;
  readonly workflow: Workflow;
  readonly clock: Clock;
  /** New 24-hex-character ids. */
  readonly newId: () => string;
  readonly config: UseCaseConfig;
}
