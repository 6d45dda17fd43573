import { type LocatePwshOptions, locatePwsh as locate, type PwshInfo } from '@exo-connect/pwsh';
import { ExoError } from '../errors/exo-error.js';

export {
  compareVersions,
  forgetPwshLocations,
  type LocatePwshOptions,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from '@exo-connect/pwsh';

/**
 * @exo-connect/pwsh's locator. Its error carries the exo-connect marker (ExoError.is() holds) but is not
 * core's class, and core hands out ExoError instances; once both share one error base this is a re-export.
 */
export async function locatePwsh(options?: LocatePwshOptions): Promise<PwshInfo> {
  try {
    return await locate(options);
  } catch (error) {
    if (!ExoError.is(error) || error instanceof ExoError) throw error;
    const e = error as ExoError;
    throw new ExoError(e.code, e.message, {
      remediation: e.remediation,
      details: { ...e.details },
      cause: e,
    });
  }
}
