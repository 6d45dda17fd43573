import * as errors from '@exo-connect/errors';
import { describe, expect, it } from 'vitest';
import * as core from '../index.js';

describe('the error base', () => {
  it('is the one of @exo-connect/errors, re-exported unchanged', () => {
    expect(core.ExoError).toBe(errors.ExoError);
    expect(core.ERROR_CODES).toBe(errors.ERROR_CODES);
    expect(core.errorCodes).toBe(errors.errorCodes);
  });
});
