/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two adjacent
 * characters each cost 1, so the common slip "rnu" is one step from "run".
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

export const MAX_SUGGESTIONS = 3;

/**
 * The commands a mistyped one most likely meant, best first (at most MAX_SUGGESTIONS). Ids use oclif's
 * internal form (`sandbox:status`). A command is suggested when it is within a few edits of what was typed
 * (one per three characters, at least one, at most three; under a topic that was typed right, only its last
 * word is compared), when what was typed begins it or its last word (two characters or more), or when what
 * was typed is one of its words (`list` → `endpoints:list`, `profile:list`).
 */
export function closestCommands(typed: string, commands: readonly string[]): string[] {
  const wanted = typed.trim().toLowerCase();
  if (wanted === '') return [];
  const cut = wanted.lastIndexOf(':');
  const topic = wanted.slice(0, cut + 1);
  const word = wanted.slice(cut + 1);
  const limitFor = (text: string) => Math.min(3, Math.max(1, Math.floor(text.length / 3)));
  const scored: Array<{ id: string; score: number }> = [];
  for (const id of new Set(commands)) {
    const name = id.toLowerCase();
    const lastWord = name.slice(name.lastIndexOf(':') + 1);
    const sameTopic = topic !== '' && name.slice(0, name.lastIndexOf(':') + 1) === topic;
    const [distance, limit] = sameTopic
      ? [editDistance(word, lastWord), limitFor(word)]
      : [editDistance(wanted, name), limitFor(wanted)];
    if (distance <= limit) scored.push({ id, score: distance });
    else if (wanted.length >= 2 && (name.startsWith(wanted) || lastWord.startsWith(wanted)))
      scored.push({ id, score: limit + 1 });
    else if (name.split(':').includes(wanted)) scored.push({ id, score: limit + 1 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.id.localeCompare(y.id))
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => s.id);
}
