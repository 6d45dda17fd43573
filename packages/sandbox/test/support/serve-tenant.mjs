// Serves the tenant in argv[2] from the built package and prints the server's URLs as one JSON line, then
// waits to be stopped (SIGINT/SIGTERM stop it cleanly; SIGKILL is what the test sends).
import { startSandboxServer } from '../../dist/index.js';

const server = await startSandboxServer({ directory: process.argv[2], workers: 1 });
process.stdout.write(`${JSON.stringify({ adminUrl: server.adminUrl, caPath: server.caPath })}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.stop().then(() => process.exit(0));
  });
}
