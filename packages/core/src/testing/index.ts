export {
  frame,
  type MemoryCall,
  type MemoryHandler,
  type MemoryRequest,
  MemoryTransport,
  type MemoryTransportOptions,
  memoryTransports,
} from './memory-transport.js';
