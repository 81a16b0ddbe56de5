/** Holdout metrics computed from downloaded predictions. */

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative (ties count
 * half), from ranks.
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => ({ s, y: labels[i] ?? 0 })).sort((a, b) => a.s - b.s);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]!.y === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Share of predicted labels equal to the actual ones. */
export function accuracy(predicted: readonly number[], labels: readonly number[]): number {
  if (predicted.length === 0) return Number.NaN;
  return predicted.filter((p, i) => p === labels[i]).length / predicted.length;
}
