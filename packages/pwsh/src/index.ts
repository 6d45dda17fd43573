export { childEnv, SECRET_ENV } from './child-env.js';
export {
  type FindPwshOptions,
  findPwsh,
  type PwshCandidate,
  type PwshSearchOptions,
  type PwshSource,
  pwshCandidates,
} from './find-pwsh.js';
export {
  compareVersions,
  forgetPwshLocations,
  type LocatePwshOptions,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from './locate-pwsh.js';
