export {
  compareVersions,
  forgetPwshLocations,
  type LocatePwshOptions,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from '@exo-connect/pwsh';
