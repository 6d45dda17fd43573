const BARS = '▁▂▃▄▅▆▇█';

/**
 * The values as a one-line chart, at most `width` characters: consecutive values are averaged into
 * buckets, and each bucket is a bar from ▁ (the smallest) to █ (the largest). A flat series is all ▄.
 */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const averaged: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    const slice = values.slice(from, Math.max(to, from + 1));
    averaged.push(slice.reduce((s, v) => s + v, 0) / slice.length);
  }
  const min = Math.min(...averaged);
  const max = Math.max(...averaged);
  if (max === min) return BARS[3]!.repeat(averaged.length);
  return averaged
    .map((v) => BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * BARS.length))]!)
    .join('');
}
