/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours ("wrodlwide"). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

export interface NamedCandidate {
  id: string;
  names: readonly string[];
}

/**
 * The ids whose id or aliases come closest to `name`: the best match and any within two edits of it,
 * at most `limit`, nearest first. Never empty while there are candidates, so an error can always point
 * somewhere.
 */
export function closestIds(name: string, candidates: readonly NamedCandidate[], limit = 3): string[] {
  const scored = candidates.map((c, order) => ({
    id: c.id,
    order,
    distance: Math.min(...c.names.map((n) => editDistance(name, n))),
  }));
  scored.sort((x, y) => x.distance - y.distance || x.order - y.order);
  const best = scored[0]?.distance ?? 0;
  return scored
    .filter((s) => s.distance <= best + 2)
    .slice(0, limit)
    .map((s) => s.id);
}
