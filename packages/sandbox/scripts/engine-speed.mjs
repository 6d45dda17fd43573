// Times the REST face's engine pool (not a test): the median warm round trip of `Get-Mailbox -ResultSize 1`, and
// objects per second paging `Get-Mailbox -ResultSize Unlimited` through a 100,000-mailbox tenant, 1,000 a page.
//   pnpm build && node scripts/engine-speed.mjs [--mailboxes 100000] [--calls 500] [--dir <existing tenant>]
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTenant } from '../dist/index.js';
import { startEnginePool } from '../dist/server/engine/index.js';

const { values } = parseArgs({
  options: {
    mailboxes: { type: 'string', default: '100000' },
    calls: { type: 'string', default: '500' },
    dir: { type: 'string' },
  },
});
const caller = { tenantId: 'speed', userPrincipalName: 'admin@sandbox.exo.localhost', scopes: [], roles: [] };
const call = (pool, cmdlet, parameters, extra = {}) =>
  pool.invoke({ cmdlet, parameters, caller, pageSize: 1000, ...extra });

const directory = values.dir ?? (await mkdtemp(join(tmpdir(), 'exo-engine-speed-')));
if (!values.dir) {
  const started = performance.now();
  await createTenant({ directory, mailboxCount: Number(values.mailboxes), force: true });
  console.log(
    `tenant: ${values.mailboxes} mailboxes in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
const pool = await startEnginePool({ directory });
// The workers' resident memory (Linux): the tenant's snapshot, and nothing that grows with a paged result.
const rss = () =>
  process.platform === 'linux'
    ? `workers' RSS ${pool
        .workerPids()
        .map(
          (pid) =>
            `${Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024)} MB`,
        )
        .join(', ')}`
    : '';
try {
  for (let i = 0; i < 50; i++) await call(pool, 'Get-Mailbox', { ResultSize: 1 });
  const times = [];
  for (let i = 0; i < Number(values.calls); i++) {
    const started = performance.now();
    const result = await call(pool, 'Get-Mailbox', { ResultSize: 1 });
    times.push(performance.now() - started);
    if (!result.ok || result.objects.length !== 1)
      throw new Error(`unexpected result: ${JSON.stringify(result)}`);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
  console.log(
    `warm round trip (Get-Mailbox -ResultSize 1): median ${at(0.5)} ms, p90 ${at(0.9)} ms; ${rss()}`,
  );

  for (const round of ['first (loads the tenant)', 'second']) {
    const started = performance.now();
    let page = await call(pool, 'Get-Mailbox', { ResultSize: 'Unlimited' });
    let count = 0;
    for (;;) {
      if (!page.ok) throw new Error(JSON.stringify(page.error));
      count += page.objects.length;
      if (!page.nextCursor) break;
      page = await call(pool, 'Get-Mailbox', {}, { cursor: page.nextCursor });
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `paging, ${round}: ${count} mailboxes in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} objects/s; ${rss()}`,
    );
  }
} finally {
  await pool.close();
  if (!values.dir) await rm(directory, { recursive: true, force: true });
}
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, node ${process.version}`,
);
