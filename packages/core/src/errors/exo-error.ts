export { ExoError, type ExoErrorOptions } from '@exo-connect/errors';
