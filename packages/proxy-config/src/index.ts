export { type EnvironmentProxy, readEnvironmentProxy } from './env-proxy.js';
