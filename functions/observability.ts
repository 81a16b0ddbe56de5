import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger every handler shares (service name from POWERTOOLS_SERVICE_NAME, set by CDK). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'batchline' });
