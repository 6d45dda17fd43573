export { ERROR_CODES, type ErrorCode, errorCodes } from '@exo-connect/errors';
