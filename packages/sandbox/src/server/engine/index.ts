export { type EnginePool, type EnginePoolOptions, startEnginePool } from './engine-pool.js';
