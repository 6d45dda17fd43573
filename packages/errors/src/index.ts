export {
  ERROR_CODES,
  type ErrorCode,
  type ErrorCodeEntry,
  EXIT_CODE_CLASSES,
  type ExitCode,
  errorCodes,
} from './error-codes.js';
export { ExoError, type ExoErrorOptions } from './exo-error.js';
