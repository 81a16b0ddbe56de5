import { describe, expect, it } from 'vitest';
import { renderDefinitionString } from '../../../../local/asl/cfn-definition.js';
import { validateDefinition } from '../../../../local/asl/definition.js';

describe('renderDefinitionString', () => {
  // The shape CDK synthesizes for a LambdaInvoke task followed by a Distributed Map reading from a bucket.
  const definitionString = {
    'Fn::Join': [
      '',
      [
        '{"StartAt":"Prepare","States":{"Prepare":{"Type":"Task","Resource":"arn:',
        { Ref: 'AWS::Partition' },
        ':states:::lambda:invoke","Parameters":{"FunctionName":"',
        { 'Fn::GetAtt': ['PrepareFn1234', 'Arn'] },
        '","Payload.$":"$"},"Next":"Score"},"Score":{"Type":"Map","End":true,"ItemReader":{"Resource":"arn:',
        { Ref: 'AWS::Partition' },
        ':states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"',
        { Ref: 'Bucket99' },
        '","Key.$":"$.key"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},',
        '"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}',
      ],
    ],
  };

  it('resolves pseudo parameters, Refs and GetAtts into a definition the executor accepts', () => {
    const definition = renderDefinitionString(definitionString, (id, attribute) =>
      attribute ? `arn:aws:lambda:local:000000000000:function:${id}` : `bucket-${id}`,
    );

    const states = validateDefinition(definition).States;
    expect(states.Prepare?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(states.Prepare?.Parameters?.FunctionName).toBe(
      'arn:aws:lambda:local:000000000000:function:PrepareFn1234',
    );
    expect(states.Score?.ItemReader?.Parameters?.Bucket).toBe('bucket-Bucket99');
  });

  it('rejects intrinsics it cannot render', () => {
    expect(() => renderDefinitionString({ 'Fn::Sub': 'x' }, () => '')).toThrow(/Unsupported intrinsic/);
  });
});
