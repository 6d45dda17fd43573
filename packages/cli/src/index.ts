export { formatCmdletArguments } from './arguments/format-cmdlet-arguments.js';
export type { JsonValue } from './arguments/json-value.js';
export { mergeParameters } from './arguments/merge-parameters.js';
export {
  isParameterToken,
  PARAMETER_NAME,
  type ParseCmdletArgumentsOptions,
  parseCmdletArguments,
} from './arguments/parse-cmdlet-arguments.js';
export {
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
  type DoctorStrategy,
  endpointTargets,
  runDoctor,
} from './doctor/doctor.js';
export { checkReachable, type ReachabilityResult, type ReachabilityTarget } from './doctor/reachability.js';
export {
  createKeychain,
  KEYCHAIN_SERVICE,
  type Keychain,
  type KeychainAvailability,
  type KeychainBackend,
  type KeychainOptions,
  MAX_KEYCHAIN_SECRET_BYTES,
} from './keychain/keychain.js';
export type { CommandResult, CommandRunner, RunCommandOptions } from './keychain/run-command.js';
export {
  clearKeychainTokenCache,
  keychainTokenCache,
  TOKEN_CACHE_CHUNK_BYTES,
  tokenCacheAccount,
} from './keychain/token-cache.js';
export { WINDOWS_CREDENTIAL_SCRIPT } from './keychain/windows-credential-script.js';
export {
  DEFAULT_TABLE_BUFFER_ROWS,
  DEFAULT_TABLE_COLUMNS,
  defaultFormat,
  type FormatOutputOptions,
  formatOutput,
  OUTPUT_FORMATS,
  type OutputFormat,
  parseOutputFormat,
} from './output/format-output.js';
export { defaultColumns, PREFERRED_COLUMNS } from './output/format-table.js';
export { compileQuery, formatQueried, queryRows, type ResultQuery } from './output/query.js';
export { StreamWriter } from './output/stream-writer.js';
export { PASSWORD_ENV, passwordFromEnv } from './password/password-from-env.js';
export {
  type PromptPasswordOptions,
  promptPassword,
  type TerminalInput,
} from './password/prompt-password.js';
export { MAX_STDIN_PASSWORD_BYTES, readPasswordFromStdin } from './password/read-password-stdin.js';
export {
  errorCodeTable,
  exitCodeFor,
  INTERNAL_ERROR_EXIT_CODE,
  type PresentedError,
  presentError,
} from './present-error.js';
export {
  CONFIG_DIR_NAME,
  CONFIG_FILE_NAME,
  type ConfigDirOptions,
  configDir,
  configPath,
} from './profiles/config-dir.js';
export { emptyConfig, loadConfig, parseConfig, saveConfig } from './profiles/config-file.js';
export {
  configSchema,
  type ExoConfig,
  PROFILE_NAME,
  type Profile,
  type ProfileInput,
  profileNameSchema,
  profileSchema,
} from './profiles/config-schema.js';
export {
  type AddProfileOptions,
  addProfile,
  listProfiles,
  type ProfileEntry,
  removeProfile,
  resolveProfile,
  useProfile,
} from './profiles/profiles.js';
export {
  createProgressReporter,
  type ProgressReporter,
  type ProgressReporterOptions,
  useColor,
} from './progress/progress-reporter.js';
export { displayWidth, truncateToWidth } from './text/display-width.js';
export { terminalText } from './text/terminal-text.js';
