import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { formatMs, formatRatio } from '../format.js';
import { processesWithEnv } from '../runtime/procs.js';
import { EXO_CLIENT_ID } from '../runtime/raw-rest.js';
import { startRestServer } from '../runtime/rest-server.js';
import { median, ratio } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import { compare, measurement, now, type ScenarioRun, timedConnect } from './common.js';

interface Reply {
  status: number;
  text: string;
}

function send(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method, headers, agent });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Resident memory of `pids` together, MB (Linux /proc; undefined elsewhere). */
function rssMb(pids: number[]): number | undefined {
  let kb = 0;
  for (const pid of pids) {
    try {
      const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
      if (line) kb += Number(line[1]);
    } catch {
      // ended meanwhile
    }
  }
  return pids.length && kb ? kb / 1024 : undefined;
}

/**
 * Scenario 7: the sandbox's REST face as a server, so that the REST benchmarks to come measure the client and not
 * it. A warm InvokeCommand against an HTTPS echo on the same loopback and TLS (the floor), the whole tenant paged
 * through nextLink, memory of the server and its workers while paging, and 50 clients at once.
 */
export const restServer: ScenarioRun = async (ctx, result) => {
  const { warmup, calls, mailboxes, clients, callsPerClient, workers } = ctx.options.rest;
  result.parameters = { warmup, calls, mailboxes, clients, callsPerClient, workers };
  const tenant = await ctx.tenant('rest', mailboxes);
  const server = await startRestServer(ctx.resources, tenant, workers);
  const { facts } = server;
  const ca = await readFile(facts.caPath, 'utf8');
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
  // The floor: the same TLS certificate and loopback, answering at once with an empty collection.
  const rest = join(tenant.dir, 'rest');
  const floorServer = createServer(
    { cert: readFileSync(join(rest, 'server.pem')), key: readFileSync(join(rest, 'server-key.pem')) },
    (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}'));
    },
  );
  await new Promise<void>((resolve) => floorServer.listen(0, '127.0.0.1', resolve));
  const floorUrl = `https://127.0.0.1:${(floorServer.address() as AddressInfo).port}/adminapi/beta/x/InvokeCommand`;
  const rps = await timedConnect(ctx, tenant);
  try {
    const tokenReply = await send(
      agent,
      `${facts.authorityUrl}/${facts.tenantId}/oauth2/v2.0/token`,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'password',
        client_id: EXO_CLIENT_ID,
        scope: facts.scope,
        username: ctx.credential.userPrincipalName,
        password: ctx.credential.password,
      }).toString(),
    );
    if (tokenReply.status !== 200) throw new Error(`the sandbox refused a token (${tokenReply.status})`);
    const headers = {
      authorization: `Bearer ${(JSON.parse(tokenReply.text) as { access_token: string }).access_token}`,
      'x-anchormailbox': `UPN:${ctx.credential.userPrincipalName}`,
      'content-type': 'application/json',
    };
    const invokeUrl = `${facts.adminUrl}/adminapi/beta/${facts.tenantId}/InvokeCommand`;
    const one = JSON.stringify({ CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { ResultSize: 1 } } });

    // Warm calls: the REST face and its floor interleaved, so the machine's drift hits both alike; the PSSession's
    // calls in a block of their own afterwards (its processes keep working after each call returns, which would
    // otherwise land on the next REST call).
    const restMs: number[] = [];
    const floorMs: number[] = [];
    const rpsMs: number[] = [];
    for (let i = 0; i < warmup + calls; i++) {
      let t = now();
      const reply = await send(agent, invokeUrl, 'POST', headers, one);
      const restCall = now() - t;
      if (reply.status !== 200)
        throw new Error(`InvokeCommand answered ${reply.status}: ${reply.text.slice(0, 200)}`);
      t = now();
      await send(agent, floorUrl, 'POST', headers, one);
      const floorCall = now() - t;
      if (i >= warmup) {
        restMs.push(restCall);
        floorMs.push(floorCall);
      }
    }
    for (let i = 0; i < warmup + calls; i++) {
      const t = now();
      await rps.connection.invoke('Get-Mailbox', { ResultSize: 1 });
      if (i >= warmup) rpsMs.push(now() - t);
    }
    result.measurements.push(
      measurement(
        'rest',
        'InvokeCommand Get-Mailbox -ResultSize 1 (HTTPS, keep-alive)',
        'ms',
        'lower',
        restMs,
      ),
      measurement('floor', 'HTTPS echo on the same loopback and TLS (floor)', 'ms', 'lower', floorMs),
      measurement('rps', "the engine's invoke over a PSSession (rps), same cmdlet", 'ms', 'lower', rpsMs),
    );
    const vsFloor = compare(
      'REST face ÷ HTTPS floor',
      { id: 'rest', rounds: restMs },
      { id: 'floor', rounds: floorMs },
    );
    const vsRps = compare(
      'REST face ÷ PSSession',
      { id: 'rest', rounds: restMs },
      { id: 'rps', rounds: rpsMs },
      false,
    );
    result.comparisons.push(vsFloor, vsRps);

    // The whole tenant through nextLink, 1,000 a page, with the server's memory sampled as it goes.
    const serverPids = () => [
      facts.pid,
      ...processesWithEnv('EXO_SANDBOX_DIR', tenant.dir).filter((p) => p !== facts.pid),
    ];
    const before = rssMb(serverPids());
    let peak = before ?? 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(serverPids()) ?? 0);
    }, 100);
    const all = JSON.stringify({
      CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { ResultSize: 'Unlimited' } },
    });
    const pageHeaders = { ...headers, prefer: 'odata.maxpagesize=1000' };
    let objects = 0;
    const t0 = now();
    let page = await send(agent, invokeUrl, 'POST', pageHeaders, all);
    for (;;) {
      if (page.status !== 200) throw new Error(`a page answered ${page.status}: ${page.text.slice(0, 200)}`);
      const body = JSON.parse(page.text) as { value: unknown[]; '@odata.nextLink'?: string };
      objects += body.value.length;
      const next = body['@odata.nextLink'];
      if (!next) break;
      page = await send(agent, next, 'GET', pageHeaders);
    }
    const pagingMs = now() - t0;
    clearInterval(sampler);
    const after = rssMb(serverPids());
    const objectsPerSecond = objects / (pagingMs / 1000);
    result.measurements.push(
      measurement(
        'paging',
        `every mailbox through @odata.nextLink (${objects} objects)`,
        'objects/s',
        'higher',
        [objectsPerSecond],
      ),
    );

    // 50 clients at once, each on its own connection, each making its calls one after another.
    let failures = 0;
    const t1 = now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        const own = new Agent({ keepAlive: true, maxSockets: 1, ca });
        try {
          for (let i = 0; i < callsPerClient; i++) {
            const reply = await send(own, invokeUrl, 'POST', headers, one).catch(() => ({
              status: 0,
              text: '',
            }));
            if (reply.status !== 200) failures += 1;
          }
        } finally {
          own.destroy();
        }
      }),
    );
    const concurrentMs = now() - t1;
    const throughput = (clients * callsPerClient) / (concurrentMs / 1000);
    result.measurements.push(
      measurement('concurrent', `${clients} clients × ${callsPerClient} calls`, 'commands/s', 'higher', [
        throughput,
      ]),
    );

    const restMedian = median(restMs);
    result.targets.push(
      evaluateTarget(
        'warm Get-Mailbox -ResultSize 1 served in ≤ 5 ms (median)',
        restMedian,
        'atMost',
        5,
        (v) =>
          `${formatMs(v)} (floor ${formatMs(median(floorMs))}; PSSession ${formatMs(median(rpsMs))}, REST is ${formatRatio(vsRps.ratioOfMedians ?? ratio(restMedian, median(rpsMs)) ?? Number.NaN)} of it)`,
      ),
      evaluateTarget(
        `${objects} mailboxes paged at ≥ 5,000 objects/s`,
        objectsPerSecond,
        'atLeast',
        5000,
        (v) => `${Math.round(v)} objects/s (${(pagingMs / 1000).toFixed(1)} s)`,
      ),
      evaluateTarget(
        `${clients} concurrent clients without errors`,
        failures,
        'atMost',
        0,
        (v) => `${v} failed of ${clients * callsPerClient} (${Math.round(throughput)} commands/s)`,
      ),
      evaluateTarget(
        'memory flat while paging (server and workers, peak ÷ before ≤ 1.25)',
        before && peak ? peak / before : undefined,
        'atMost',
        1.25,
        (v) =>
          `${formatRatio(v)} (before ${before?.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after ${after?.toFixed(0)} MB)`,
      ),
    );
    result.profile.push(
      { label: 'server + workers RSS before paging', value: before, unit: 'MB' },
      { label: 'server + workers RSS peak while paging', value: peak || undefined, unit: 'MB' },
      { label: 'server + workers RSS after paging', value: after, unit: 'MB' },
    );
    result.notes.push(
      `How it is built: one Node HTTPS server (node:https on 127.0.0.1, the tenant's CA) in front of ${workers} warm pwsh workers (the engine pool) that run the PSSession face's own cmdlet functions and write JSON with Utf8JsonWriter; pages come from a query held open in the worker that ran it.`,
    );
  } finally {
    agent.destroy();
    floorServer.close();
    await rps.close();
    await server.close();
  }
};
