/**
 * Turns a synthesized `AWS::StepFunctions::StateMachine` DefinitionString (a string, or the `Fn::Join` of strings,
 * `Ref`s and `Fn::GetAtt`s that CDK emits) into the parsed ASL definition the local executor runs.
 */
import { isObject } from './definition.js';

/** Resolves a `Ref` (no attribute) or `Fn::GetAtt` (with attribute) of a template resource to a string. */
export type ResourceResolver = (logicalId: string, attribute?: string) => string;

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Renders `definitionString` with `resolve` for resource references (pseudo parameters resolve to local values)
 * and parses it. Throws on any other intrinsic function.
 */
export function renderDefinitionString(definitionString: unknown, resolve: ResourceResolver): unknown {
  return JSON.parse(renderIntrinsic(definitionString, resolve));
}

function renderIntrinsic(value: unknown, resolve: ResourceResolver): string {
  if (typeof value === 'string') return value;
  if (isObject(value)) {
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map((part: unknown) => renderIntrinsic(part, resolve)).join(join[0]);
    }
    if (typeof value.Ref === 'string') return PSEUDO_PARAMETERS[value.Ref] ?? resolve(value.Ref);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
      return resolve(getAtt[0], getAtt[1]);
    }
  }
  throw new Error(`Unsupported intrinsic in DefinitionString: ${JSON.stringify(value)}`);
}
