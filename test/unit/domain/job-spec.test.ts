import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FieldProblem, NotSupportedError, ValidationError } from '../../../shared/domain/errors.js';
import {
  assertSupported,
  checkJobSpecRules,
  delimiterChar,
  JobSpecFieldsSchema,
  type JobSpecInput,
  JobSpecInputSchema,
  parseJobSpec,
  remappingOf,
} from '../../../shared/domain/job-spec.js';
import { toFieldProblems } from '../../../shared/domain/zod-problems.js';

const DEPLOYMENT = '5dc5b1015e6e762a6241f9aa';

function problemsOf(body: unknown): readonly FieldProblem[] {
  try {
    parseJobSpec(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

function messageFor(body: unknown, field: string): string | undefined {
  return problemsOf(body).find((problem) => problem.field === field)?.message;
}

describe('parseJobSpec defaults', () => {
  it('fills every default exactly as DataRobot echoes a minimal dataset job', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      intakeSettings: { type: 'dataset', datasetId: 'ds1' },
    });

    // DataRobot's documented echo of this request, plus chunkSize and disableRowLevelErrorHandling.
    expect(spec).toEqual({
      includeProbabilitiesClasses: [],
      maxExplanations: 0,
      predictionWarningEnabled: null,
      numConcurrent: 4,
      thresholdHigh: null,
      passthroughColumnsSet: null,
      csvSettings: { quotechar: '"', delimiter: ',', encoding: 'utf-8' },
      thresholdLow: null,
      outputSettings: { type: 'localFile' },
      includeProbabilities: true,
      columnNamesRemapping: {},
      deploymentId: DEPLOYMENT,
      abortOnError: true,
      intakeSettings: { type: 'dataset', datasetId: 'ds1' },
      includePredictionStatus: false,
      skipDriftTracking: false,
      passthroughColumns: null,
      chunkSize: 'auto',
      disableRowLevelErrorHandling: false,
    });
  });

  it('defaults intake and output to localFile and keeps given values over defaults', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      numConcurrent: 1,
      abortOnError: false,
      csvSettings: { delimiter: ';' },
    });

    expect(spec.intakeSettings).toEqual({ type: 'localFile' });
    expect(spec.outputSettings).toEqual({ type: 'localFile' });
    expect(spec.numConcurrent).toBe(1);
    expect(spec.abortOnError).toBe(false);
    expect(spec.csvSettings).toEqual({ delimiter: ';', quotechar: '"', encoding: 'utf-8' });
  });

  it('accepts what the 2.25 client sends for score_to_file with passthrough columns', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      passthroughColumns: ['id', 'age'],
      intakeSettings: { type: 'localFile' },
      outputSettings: { type: 'localFile' },
    });

    expect(spec.passthroughColumns).toEqual(['id', 'age']);
  });
});

describe('adapters', () => {
  const intakes: Record<string, Record<string, unknown>> = {
    localFile: { type: 'localFile' },
    s3: { type: 's3', url: 's3://bucket/in.csv' },
    azure: { type: 'azure', url: 'https://acct.blob.core.windows.net/c/in.csv', credentialId: 'c1' },
    gcp: { type: 'gcp', url: 'gs://bucket/in.csv', credentialId: 'c1' },
    jdbc: { type: 'jdbc', dataStoreId: 'ds', table: 'scoring_data' },
    snowflake: { type: 'snowflake', externalStage: 'stage', dataStoreId: 'ds', query: 'SELECT 1' },
    synapse: { type: 'synapse', externalDataSource: 'src', dataStoreId: 'ds', table: 't' },
    bigquery: { type: 'bigquery', dataset: 'd', table: 't', bucket: 'b', credentialId: 'c1' },
    dataset: { type: 'dataset', datasetId: 'ds1' },
    datasphere: { type: 'datasphere', dataStoreId: 'ds', credentialId: 'c1', schema: 'SPACE', table: 't' },
    dss: { type: 'dss', projectId: 'p1' },
  };
  const outputs: Record<string, Record<string, unknown>> = {
    localFile: { type: 'localFile' },
    s3: { type: 's3', url: 's3://bucket/out.csv' },
    azure: { type: 'azure', url: 'https://acct.blob.core.windows.net/c/out.csv', credentialId: 'c1' },
    gcp: { type: 'gcp', url: 'gs://bucket/out.csv', credentialId: 'c1' },
    jdbc: { type: 'jdbc', dataStoreId: 'ds', table: 'scored', statementType: 'insert' },
    snowflake: {
      type: 'snowflake',
      externalStage: 's',
      dataStoreId: 'ds',
      table: 't',
      statementType: 'insert',
    },
    synapse: {
      type: 'synapse',
      externalDataSource: 's',
      dataStoreId: 'ds',
      table: 't',
      statementType: 'create_table',
    },
    bigquery: { type: 'bigquery', dataset: 'd', table: 't', bucket: 'b', credentialId: 'c1' },
    datasphere: { type: 'datasphere', dataStoreId: 'ds', credentialId: 'c1', schema: 'SPACE', table: 't' },
  };

  it.each(Object.entries(intakes))('accepts a minimal %s intake', (type, intakeSettings) => {
    const spec = parseJobSpec({ deploymentId: DEPLOYMENT, intakeSettings });

    expect(spec.intakeSettings).toMatchObject(intakeSettings);
    expect(spec.intakeSettings.type).toBe(type);
  });

  it.each(Object.entries(outputs))('accepts a minimal %s output', (type, outputSettings) => {
    const spec = parseJobSpec({ deploymentId: DEPLOYMENT, outputSettings });

    expect(spec.outputSettings).toMatchObject(outputSettings);
    expect(spec.outputSettings.type).toBe(type);
  });

  it('fills adapter defaults: csv format, JDBC commit interval and table creation', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      intakeSettings: intakes.s3,
      outputSettings: outputs.jdbc,
    });

    expect(spec.intakeSettings).toEqual({ type: 's3', url: 's3://bucket/in.csv', format: 'csv' });
    expect(spec.outputSettings).toMatchObject({ commitInterval: 600, createTableIfNotExists: false });
  });

  it("accepts the 3.x client's extra fields", () => {
    const spec = parseJobSpec({
      modelId: 'm1',
      intakeSettings: { type: 'localFile', multipart: true, async: false },
      outputSettings: { type: 's3', url: 's3://b/o', endpointUrl: 'https://minio:9000', format: 'parquet' },
      predictionThreshold: 0.3,
      maxNgramExplanations: 'all',
      explanationNumTopClasses: 2,
      timeseriesSettings: { type: 'training' },
    });

    expect(spec.intakeSettings).toEqual({ type: 'localFile', multipart: true, async: false });
    expect(spec.deploymentId).toBeUndefined();
    expect(spec.predictionThreshold).toBe(0.3);
  });

  it('lists the allowed types for an unknown adapter type, and says when the type is missing', () => {
    const unknown = messageFor(
      { deploymentId: DEPLOYMENT, intakeSettings: { type: 'ftp' } },
      'intakeSettings.type',
    );
    const missing = messageFor({ deploymentId: DEPLOYMENT, outputSettings: {} }, 'outputSettings.type');

    expect(unknown).toMatch(/^expected one of "localFile", "s3", .*"dss"; received "ftp"$/);
    expect(missing).toMatch(/^required: expected one of "localFile", "s3", /);
  });

  it('names unknown and missing adapter fields by path', () => {
    const problems = problemsOf({ deploymentId: DEPLOYMENT, intakeSettings: { type: 's3', foo: 1 } });

    expect(problems).toEqual([
      { field: 'intakeSettings.url', message: 'required: expected a string' },
      { field: 'intakeSettings.foo', message: 'unknown field' },
    ]);
  });
});

describe('validation messages', () => {
  it('names every wrong field with what was received and what is expected', () => {
    const problems = problemsOf({
      deploymentId: DEPLOYMENT,
      numConcurrent: 'x',
      maxExplanations: 101,
      csvSettings: { delimiter: ';;' },
      passthroughColumns: ['a', 'b', 'c', 4],
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'numConcurrent', message: 'expected a number, received "x"' },
        { field: 'maxExplanations', message: 'expected a number <= 100, received 101' },
        { field: 'csvSettings.delimiter', message: 'expected a single character or "tab", received ";;"' },
        { field: 'passthroughColumns.3', message: 'expected a string, received 4' },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('names an unknown top-level field by its own key', () => {
    expect(problemsOf({ deploymentId: DEPLOYMENT, deploymentID: 'x' })).toEqual([
      { field: 'deploymentID', message: 'unknown field' },
    ]);
  });

  it('joins every problem into the ValidationError message', () => {
    expect(() => parseJobSpec({ deploymentId: DEPLOYMENT, skipDriftTracking: 'yes', foo: 1 })).toThrow(
      'skipDriftTracking: expected true or false, received "yes"; foo: unknown field',
    );
  });

  it('rejects a body that is not an object', () => {
    expect(problemsOf('hello')).toEqual([{ field: '', message: 'expected an object, received "hello"' }]);
  });

  it.each([
    ['chunkSize', 19, 'expected a number >= 20, received 19'],
    ['chunkSize', 41_943_041, 'expected a number <= 41943040, received 41943041'],
    ['chunkSize', 'big', 'expected one of "auto", "fixed", "dynamic" or a number, received "big"'],
    ['numConcurrent', 0, 'expected a number >= 1, received 0'],
    ['explanationNumTopClasses', 11, 'expected a number <= 10, received 11'],
    ['predictionThreshold', 1.5, 'expected a number <= 1, received 1.5'],
    ['passthroughColumns', Array.from({ length: 101 }, (_, i) => `c${i}`), 'expected at most 100 items'],
    ['passthroughColumnsSet', 'some', 'expected "all", received "some"'],
  ])('rejects %s = %j', (field, value, message) => {
    expect(messageFor({ deploymentId: DEPLOYMENT, [field]: value }, field)).toContain(message);
  });

  it.each([
    ['chunkSize', 'fixed'],
    ['chunkSize', 41_943_040],
    ['maxExplanations', 100],
    ['thresholdHigh', 0.9],
    ['thresholdLow', 0.1],
  ])('accepts %s = %j', (field, value) => {
    expect(parseJobSpec({ deploymentId: DEPLOYMENT, [field]: value })).toMatchObject({ [field]: value });
  });

  it('accepts "tab" as delimiter and maps it to a TAB character', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      csvSettings: { delimiter: 'tab', quotechar: "'" },
    });

    expect(spec.csvSettings.delimiter).toBe('tab');
    expect(delimiterChar(spec.csvSettings.delimiter)).toBe('\t');
  });
});

describe('cross-field rules', () => {
  it.each<[string, JobSpecInput, string, string]>([
    [
      'passthroughColumnsSet "all" with passthroughColumns',
      { deploymentId: DEPLOYMENT, passthroughColumnsSet: 'all', passthroughColumns: ['id'] },
      'passthroughColumns',
      'cannot be combined with passthroughColumnsSet "all"',
    ],
    [
      'explanationNumTopClasses with explanationClassNames',
      { deploymentId: DEPLOYMENT, explanationNumTopClasses: 1, explanationClassNames: ['a'] },
      'explanationClassNames',
      'cannot be combined with explanationNumTopClasses',
    ],
    [
      'a quotechar equal to the delimiter',
      { deploymentId: DEPLOYMENT, csvSettings: { delimiter: 'tab', quotechar: '\t' } },
      'csvSettings.quotechar',
      'must differ from the delimiter',
    ],
    [
      'no deployment and no model',
      { intakeSettings: { type: 'localFile' } },
      'deploymentId',
      'required (or give modelId instead)',
    ],
    [
      'a JDBC intake with both query and table',
      {
        deploymentId: DEPLOYMENT,
        intakeSettings: { type: 'jdbc', dataStoreId: 'd', query: 'q', table: 't' },
      },
      'intakeSettings.query',
      'give either query or table, not both',
    ],
    [
      'a JDBC intake with neither query nor table',
      { deploymentId: DEPLOYMENT, intakeSettings: { type: 'jdbc', dataStoreId: 'd' } },
      'intakeSettings.table',
      'required: a table (or a query instead)',
    ],
    [
      'a JDBC update without whereColumns',
      {
        deploymentId: DEPLOYMENT,
        outputSettings: { type: 'jdbc', dataStoreId: 'd', table: 't', statementType: 'insert_update' },
      },
      'outputSettings.whereColumns',
      'required with statementType "insert_update"',
    ],
    [
      'partition columns on CSV output',
      {
        deploymentId: DEPLOYMENT,
        outputSettings: { type: 's3', url: 's3://b/o/', partitionColumns: ['day'] },
      },
      'outputSettings.partitionColumns',
      'only allowed with format "parquet"',
    ],
    [
      'a column remapped twice',
      {
        deploymentId: DEPLOYMENT,
        columnNamesRemapping: [
          { inputName: 'a', outputName: 'x' },
          { inputName: 'a', outputName: null },
        ],
      },
      'columnNamesRemapping.1.inputName',
      '"a" is remapped more than once',
    ],
  ])('rejects %s', (_case, body, field, message) => {
    expect(messageFor(body, field)).toContain(message);
  });

  it('allows thresholds without explanations, as DataRobot does', () => {
    const spec = parseJobSpec({ deploymentId: DEPLOYMENT, thresholdHigh: 0.8 });

    expect(spec).toMatchObject({ thresholdHigh: 0.8, thresholdLow: null, maxExplanations: 0 });
  });

  it('accepts a JDBC update that names its where and update columns', () => {
    const outputSettings = {
      type: 'jdbc',
      dataStoreId: 'd',
      table: 't',
      statementType: 'update',
      whereColumns: ['id'],
      updateColumns: ['score'],
    } as const;

    expect(parseJobSpec({ deploymentId: DEPLOYMENT, outputSettings }).outputSettings).toMatchObject(
      outputSettings,
    );
  });
});

describe('JobSpecFieldsSchema', () => {
  it('can be extended by an embedding schema that keeps the cross-field rules', () => {
    const definition = JobSpecFieldsSchema.extend({ name: z.string(), enabled: z.boolean() }).superRefine(
      checkJobSpecRules,
    );

    const valid = definition.safeParse({ name: 'nightly', enabled: false, deploymentId: DEPLOYMENT });
    const invalid = definition.safeParse({ name: 'nightly', enabled: false });

    expect(valid.success && valid.data.numConcurrent).toBe(4);
    expect(invalid.error && toFieldProblems(invalid.error)).toEqual([
      { field: 'deploymentId', message: 'required (or give modelId instead)' },
    ]);
  });
});

describe('remappingOf', () => {
  it('reads the object form and the list form into the same map', () => {
    const fromObject = parseJobSpec({
      deploymentId: DEPLOYMENT,
      columnNamesRemapping: { Survived_PREDICTION: 'predicted', THRESHOLD: null },
    });
    const fromList = parseJobSpec({
      deploymentId: DEPLOYMENT,
      columnNamesRemapping: [
        { inputName: 'Survived_PREDICTION', outputName: 'predicted' },
        { inputName: 'THRESHOLD', outputName: null },
      ],
    });

    const expected = new Map([
      ['Survived_PREDICTION', 'predicted'],
      ['THRESHOLD', null],
    ]);
    expect(remappingOf(fromObject)).toEqual(expected);
    expect(remappingOf(fromList)).toEqual(expected);
  });

  it('is empty by default', () => {
    expect(remappingOf(parseJobSpec({ deploymentId: DEPLOYMENT })).size).toBe(0);
  });
});

describe('assertSupported', () => {
  const supported = { intake: ['localFile', 's3'], output: ['localFile'] };

  it('accepts supported adapters', () => {
    expect(() => assertSupported(parseJobSpec({ deploymentId: DEPLOYMENT }), supported)).not.toThrow();
  });

  it('names the field and the supported intake types', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      intakeSettings: { type: 'azure', url: 'https://a.blob.core.windows.net/c/f.csv' },
    });

    const error = captureError(() => assertSupported(spec, supported));

    expect(error).toBeInstanceOf(NotSupportedError);
    expect(error).toMatchObject({ field: 'intakeSettings.type' });
    expect((error as Error).message).toContain(
      '"azure" intake is not supported yet; supported: localFile, s3',
    );
  });

  it('names the field and the supported output types', () => {
    const spec = parseJobSpec({
      deploymentId: DEPLOYMENT,
      outputSettings: { type: 's3', url: 's3://b/o.csv' },
    });

    const error = captureError(() => assertSupported(spec, supported));

    expect(error).toMatchObject({ field: 'outputSettings.type' });
    expect((error as Error).message).toContain('"s3" output is not supported yet; supported: localFile');
  });
});

describe('JSON Schema', () => {
  it('converts the input schema for the OpenAPI document', () => {
    const schema = z.toJSONSchema(JobSpecInputSchema, { io: 'input' }) as {
      additionalProperties?: boolean;
      required?: string[];
      properties: Record<string, { default?: unknown }>;
    };

    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toBeUndefined();
    expect(schema.properties.numConcurrent?.default).toBe(4);
    expect(schema.properties.intakeSettings?.default).toEqual({ type: 'localFile' });
  });
});

describe('toFieldProblems', () => {
  it('works on any schema: dotted paths, unknown keys, and the closest branch of a failed union', () => {
    const schema = z.strictObject({
      items: z.array(z.union([z.number(), z.strictObject({ name: z.string() })])),
    });
    const result = schema.safeParse({ items: [1, { name: 2 }], extra: true }, { reportInput: true });

    expect(result.success).toBe(false);
    expect(toFieldProblems(result.error!)).toEqual([
      { field: 'items.1.name', message: 'expected a string, received 2' },
      { field: 'extra', message: 'unknown field' },
    ]);
  });

  it('omits the received value when the issues do not carry their input', () => {
    const result = z.strictObject({ n: z.number().max(3) }).safeParse({ n: 5 });

    expect(toFieldProblems(result.error!)).toEqual([{ field: 'n', message: 'expected a number <= 3' }]);
  });
});

function captureError(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
