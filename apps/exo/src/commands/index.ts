import Doctor from './doctor.js';

/** Every command, listed explicitly (oclif "explicit" strategy): no directory scan at start-up. */
export const COMMANDS = {
  doctor: Doctor,
};
