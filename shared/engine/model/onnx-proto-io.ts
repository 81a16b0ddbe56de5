/**
 * Decoding and encoding ONNX model bytes with onnx-proto, and reading node attributes as plain JS values.
 * Shared by the graph inspection and rewriting in onnx-graph.ts; knows nothing about what the graph means.
 */

import type { onnx as OnnxTypes } from 'onnx-proto';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type ModelProto = OnnxTypes.ModelProto;
export type GraphProto = OnnxTypes.GraphProto;
export type NodeProto = OnnxTypes.INodeProto;
export type ValueInfoProto = OnnxTypes.IValueInfoProto;
export type AttributeProto = OnnxTypes.IAttributeProto;
export type DimensionProto = OnnxTypes.TensorShapeProto.IDimension;

/** The bytes are not a (complete) ONNX model. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

/** An int64 field as protobufjs hands it over: a number, or a Long when the `long` package is installed. */
type Int64 = number | { toString(): string };

/** The ai.onnx.ml operator domain. */
export const ML_DOMAIN = 'ai.onnx.ml';

/** A decoded model and its graph (decoded sub-messages are class instances, so their repeated fields are set). */
export interface DecodedModel {
  model: ModelProto;
  graph: GraphProto;
}

/**
 * Decodes model bytes and checks the parts every loadable model has (protobuf decoding alone accepts empty input
 * and many random byte strings, yielding an empty message).
 */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  if (bytes.length === 0) throw new OnnxFormatError('Not an ONNX model: the file is empty');
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new OnnxFormatError(`Not an ONNX model: protobuf decoding failed (${(err as Error).message})`);
  }
  const graph = model.graph as GraphProto | null;
  const problem = structuralProblem(model, graph);
  if (problem || !graph) throw new OnnxFormatError(`Not an ONNX model: ${problem ?? 'no graph'}`);
  return { model, graph };
}

function structuralProblem(model: ModelProto, graph: GraphProto | null): string | null {
  const irVersion = int64ToNumber(model.irVersion);
  if (!(irVersion >= 1 && irVersion < 1000)) return `implausible ir_version ${String(irVersion)}`;
  if (!graph) return 'no graph';
  if (model.opsetImport.length === 0) return 'no opset_import (truncated file?)';
  if (graph.output.length === 0) return 'the graph declares no outputs';
  if (graph.output.some((o) => !o.name)) return 'a graph output has no name';
  if (graph.node.some((n) => !n.opType)) return 'a node has no op_type';
  return null;
}

/** Re-encodes a (possibly edited) model. */
export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Converts an int64 protobuf field to a bigint without losing precision. */
export function int64ToBigInt(value: Int64 | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  return typeof value === 'number' ? BigInt(value) : BigInt(value.toString());
}

/** Converts an int64 protobuf field to a number (exact for |value| <= 2^53 - 1). */
export function int64ToNumber(value: Int64 | null | undefined): number {
  return Number(int64ToBigInt(value));
}

/** Returns a bigint as a number when that is exact, else keeps the bigint. */
export function narrowInt(value: bigint): bigint | number {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

const utf8 = new TextDecoder('utf-8');

function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** A STRING attribute decoded as UTF-8, or undefined when absent. */
export function stringAttribute(node: NodeProto, name: string): string | undefined {
  const attr = findAttribute(node, name);
  return attr?.s ? utf8.decode(attr.s) : undefined;
}

/** A STRINGS attribute decoded as UTF-8, or undefined when absent or empty. */
export function stringsAttribute(node: NodeProto, name: string): string[] | undefined {
  const values = findAttribute(node, name)?.strings;
  return values && values.length > 0 ? values.map((s) => utf8.decode(s)) : undefined;
}

/** An INTS attribute as bigints, or undefined when absent or empty. */
export function intsAttribute(node: NodeProto, name: string): bigint[] | undefined {
  const values = findAttribute(node, name)?.ints;
  return values && values.length > 0 ? values.map((v) => int64ToBigInt(v)) : undefined;
}

/** Builds a float32 tensor type [unknown batch, columns] for a graph output. */
export function floatMatrixValueInfo(name: string, columns: number): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{}, { dimValue: columns }] },
      },
    },
  });
}
