export { BUILTIN_SUMMARIES, type EnvironmentSummary, findSummary } from './builtin.js';
