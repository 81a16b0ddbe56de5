import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearClassifier } from './onnx-factory.js';

/** The little churn model the CLI tests score: binary, classes no/yes, one [N,2] input fed by columns a and b. */
export function churnModel(): Uint8Array {
  return linearClassifier({
    coefficients: [
      [-1, 1],
      [1, -1],
    ],
    intercepts: [0, 0],
    postTransform: 'SOFTMAX',
    classLabels: ['no', 'yes'],
    zipMap: true,
  });
}

/** Writes `m.onnx`, its manifest `m.json` beside it, and `in.csv` (`;`-separated, row 3 unparseable) into dir. */
export function writeChurnFiles(dir: string): void {
  writeFileSync(join(dir, 'm.onnx'), churnModel());
  writeFileSync(join(dir, 'm.json'), JSON.stringify({ targetName: 'churn', inputs: { input: ['a', 'b'] } }));
  writeFileSync(join(dir, 'in.csv'), 'id;a;b\n1;2;1\n2;0;3\n3;x;1\n');
}
