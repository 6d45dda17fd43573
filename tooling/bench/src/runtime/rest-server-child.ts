/**
 * The sandbox REST server of scenarios 7–11, in a process of its own so its memory is its own: serves the tenant in argv[2] with
 * startSandboxServer(), prints its facts as one JSON line, and stops when its stdin closes.
 */
import { startSandboxServer } from '@exo-connect/sandbox';

const server = await startSandboxServer({
  directory: process.argv[2],
  workers: Number(process.argv[3] ?? 2),
});
process.stdout.write(
  `${JSON.stringify({
    pid: process.pid,
    adminUrl: server.adminUrl,
    authorityUrl: server.authorityUrl,
    scope: server.scope,
    caPath: server.caPath,
    tenantId: server.tenantId,
  })}\n`,
);
process.stdin.resume();
process.stdin.once('end', () => {
  void server.stop().then(() => process.exit(0));
});
