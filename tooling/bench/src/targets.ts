import type { Target } from './report.js';

type Compare = 'atMost' | 'atLeast' | 'below';

const passes: Record<Compare, (value: number, threshold: number) => boolean> = {
  atMost: (v, t) => v <= t,
  atLeast: (v, t) => v >= t,
  below: (v, t) => v < t,
};

/**
 * Checks one target of the issue. A missing value (the variant failed or was not run) is "not
 * measured", never a pass. `format` renders the figure shown next to the verdict.
 */
export function evaluateTarget(
  description: string,
  value: number | undefined,
  compare: Compare,
  threshold: number | undefined,
  format: (value: number) => string,
): Target {
  if (
    value === undefined ||
    threshold === undefined ||
    !Number.isFinite(value) ||
    !Number.isFinite(threshold)
  ) {
    return { description, figure: value === undefined ? '–' : format(value), status: 'not measured' };
  }
  return {
    description,
    figure: format(value),
    status: passes[compare](value, threshold) ? 'met' : 'missed',
    value,
    threshold,
  };
}
