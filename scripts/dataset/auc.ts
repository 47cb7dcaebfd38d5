/** Resolution of the probability histogram: AUC is exact up to ties inside one of these bins. */
const BINS = 1 << 16;

/**
 * Streaming AUC of a score in [0, 1] against 0/1 outcomes, in constant memory: counts positives and
 * negatives per score bin, then counts the (positive, negative) pairs the score orders correctly,
 * with pairs in the same bin counting half.
 */
export class StreamingAuc {
  private readonly positives = new Float64Array(BINS);
  private readonly negatives = new Float64Array(BINS);

  add(score: number, outcome: boolean): void {
    const bin = Math.min(BINS - 1, Math.floor(score * BINS));
    if (outcome) this.positives[bin]++;
    else this.negatives[bin]++;
  }

  /** NaN when either outcome never occurred. */
  value(): number {
    let negativesBelow = 0;
    let orderedPairs = 0;
    let totalPositives = 0;
    for (let bin = 0; bin < BINS; bin++) {
      orderedPairs += this.positives[bin] * (negativesBelow + this.negatives[bin] / 2);
      negativesBelow += this.negatives[bin];
      totalPositives += this.positives[bin];
    }
    return orderedPairs / (totalPositives * negativesBelow);
  }
}

/** Exact area under the ROC curve: the chance a random success scores above a random failure (ties half). */
export function rocAuc(scores: readonly number[], outcomes: readonly boolean[]): number {
  const order = scores.map((score, i) => ({ score, outcome: outcomes[i] })).sort((a, b) => a.score - b.score);
  let negativesBelow = 0;
  let orderedPairs = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let positives = 0;
    let negatives = 0;
    for (; end < order.length && order[end].score === order[start].score; end++) {
      if (order[end].outcome) positives++;
      else negatives++;
    }
    orderedPairs += positives * (negativesBelow + negatives / 2);
    negativesBelow += negatives;
    start = end;
  }
  const totalPositives = outcomes.filter(Boolean).length;
  return orderedPairs / (totalPositives * negativesBelow);
}
