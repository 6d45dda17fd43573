export {
  errorCodeTable,
  exitCodeFor,
  INTERNAL_ERROR_EXIT_CODE,
  type PresentedError,
  presentError,
} from './present-error.js';
