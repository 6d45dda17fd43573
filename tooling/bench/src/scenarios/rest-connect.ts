import { readFile } from 'node:fs/promises';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { formatMs, formatRatio } from '../format.js';
import { RawRestClient } from '../runtime/raw-rest.js';
import { RequestClock } from '../runtime/request-clock.js';
import { startRestServer } from '../runtime/rest-server.js';
import { median } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import {
  compare,
  measurement,
  medianOf,
  now,
  type ScenarioRun,
  type TimedConnect,
  timedConnect,
} from './common.js';

/**
 * Scenario 8: connect({ strategy: 'rest' }) to ready against the sandbox's REST face, beside the same three
 * requests written out on undici (the floor) and connect({ strategy: 'rps' }) (the PSSession it replaces),
 * in rounds that rotate who goes first.
 */
export const restConnect: ScenarioRun = async (ctx, result) => {
  const { connectWarmup: warmup, connectReps: reps, workers } = ctx.options.restClient;
  result.parameters = { repetitions: reps, warmup, mailboxes: 50, workers };
  const tenant = await ctx.tenant('rest-connect', 50);
  const server = await startRestServer(ctx.resources, tenant, workers);
  const undo = ctx.resources.defer(() => server.close());
  try {
    const { facts } = server;
    const ca = await readFile(facts.caPath, 'utf8');
    const environment = sandboxEnvironment({ server: facts });

    const rest: Array<{
      ready: number;
      states: TimedConnect['states'];
      commands: number;
      requests: number;
      outsideMs: number;
    }> = [];
    const raw: Array<{
      ready: number;
      timings: RawRestClient['timings'];
      commands: number;
      requests: number;
      outsideMs: number;
    }> = [];
    const clock = new RequestClock().start();
    const rps: number[] = [];
    const variants = [
      async (measured: boolean) => {
        clock.take();
        const c = await timedConnect(ctx, tenant, { environment, strategy: 'rest' });
        const { insideMs, requests } = clock.take();
        const commands = c.connection.commands.length;
        await c.close();
        if (measured)
          rest.push({
            ready: c.readyMs,
            states: c.states,
            commands,
            requests,
            outsideMs: c.readyMs - insideMs,
          });
      },
      async (measured: boolean) => {
        clock.take();
        const t = now();
        const client = await RawRestClient.connect(facts, ca, ctx.credential);
        const ready = now() - t;
        const { insideMs, requests } = clock.take();
        await client.close();
        if (measured)
          raw.push({
            ready,
            timings: client.timings,
            commands: client.commands.length,
            requests,
            outsideMs: ready - insideMs,
          });
      },
      async (measured: boolean) => {
        const c = await timedConnect(ctx, tenant);
        await c.close();
        if (measured) rps.push(c.readyMs);
      },
    ];
    for (let round = 0; round < warmup + reps; round++) {
      const measured = round >= warmup;
      // Rotate the order, so that no variant always follows another's leftovers (the rps host's exit).
      for (let i = 0; i < variants.length; i++) await variants[(round + i) % variants.length]!(measured);
      ctx.log(`  round ${round + 1}/${warmup + reps}${measured ? '' : ' (warm-up)'}`);
    }
    clock.stop();

    const restReady = rest.map((r) => r.ready);
    const rawReady = raw.map((r) => r.ready);
    result.measurements.push(
      measurement('rest', "connect({ strategy: 'rest' }) → ready", 'ms', 'lower', restReady),
      measurement('floor', 'floor: the same three requests on undici', 'ms', 'lower', rawReady, {
        note: 'a fresh connection pool (as each connect() has), OpenID configuration GET, password grant POST, EXOModuleFile GET, each reply parsed; no MSAL, no state machine',
      }),
      measurement('rps', "connect({ strategy: 'rps' }) → ready", 'ms', 'lower', rps, {
        note: 'a pwsh host, New-PSSession and Import-PSSession against the same tenant',
      }),
    );
    const vsRps = compare('rest ÷ rps', { id: 'rest', rounds: restReady }, { id: 'rps', rounds: rps });
    const vsFloor = compare(
      'rest ÷ floor',
      { id: 'rest', rounds: restReady },
      { id: 'floor', rounds: rawReady },
    );
    result.comparisons.push(vsRps, vsFloor);
    result.targets.push(
      evaluateTarget(
        'rest connect to ready ≤ 0.10× rps',
        vsRps.medianRatio,
        'atMost',
        0.1,
        (v) => `${formatRatio(v)} (${formatMs(median(restReady))} vs ${formatMs(median(rps))})`,
      ),
      evaluateTarget(
        'rest connect to ready ≤ 1.3× the floor (the same three requests on undici)',
        vsFloor.medianRatio,
        'atMost',
        1.3,
        (v) => `${formatRatio(v)} (${formatMs(median(restReady))} vs ${formatMs(median(rawReady))})`,
      ),
    );
    result.profile.push(
      {
        label: 'rest: before the first state (options, limiter)',
        value: medianOf(rest, (r) => r.states.start),
        unit: 'ms',
      },
      {
        label: 'rest: policy (not applicable: no pwsh)',
        value: medianOf(rest, (r) => r.states.policy),
        unit: 'ms',
      },
      {
        label: 'rest: credential (MSAL: OpenID configuration + password grant)',
        value: medianOf(rest, (r) => r.states.credential),
        unit: 'ms',
      },
      {
        label: 'rest: session (connection id, admin API client)',
        value: medianOf(rest, (r) => r.states.session),
        unit: 'ms',
      },
      { label: 'rest: import (EXOModuleFile)', value: medianOf(rest, (r) => r.states.import), unit: 'ms' },
      {
        label: 'floor: OpenID configuration GET (new TLS connection)',
        value: medianOf(raw, (r) => r.timings.discovery),
        unit: 'ms',
      },
      { label: 'floor: password grant POST', value: medianOf(raw, (r) => r.timings.token), unit: 'ms' },
      { label: 'floor: EXOModuleFile GET', value: medianOf(raw, (r) => r.timings.moduleFile), unit: 'ms' },
      {
        label: 'rest: time in Node outside its HTTP requests (MSAL, the machine, parsing)',
        value: medianOf(rest, (r) => r.outsideMs),
        unit: 'ms',
        note: `${medianOf(rest, (r) => r.requests)} requests`,
      },
      {
        label: 'floor: time in Node outside its HTTP requests',
        value: medianOf(raw, (r) => r.outsideMs),
        unit: 'ms',
        note: `${medianOf(raw, (r) => r.requests)} requests`,
      },
      {
        label: 'cmdlets imported (rest / floor)',
        value: medianOf(rest, (r) => r.commands),
        unit: 'count',
        note: `floor read ${medianOf(raw, (r) => r.commands) ?? '–'}`,
      },
    );
    result.notes.push(
      "connect() with the rest strategy sends exactly three requests (counted on undici's diagnostics channel): MSAL's GET of <authority>/organizations/v2.0/.well-known/openid-configuration, the password grant POST to its token endpoint, and GET EXOModuleFile?Version=3.9.0; the floor sends those three, on a fresh undici Agent with the tenant's CA as connect() builds one, so both pay one TLS handshake.",
      "Time outside the HTTP requests comes from undici's diagnostics channels (request created → response ended): it is the client's own work, while the time inside them is mostly the server's (its password grant checks a PBKDF2 hash), which both sides wait for alike and which varies with the machine's load.",
      `The sandbox server (${workers} engine workers) runs in its own process; the rps variant starts its pwsh host and session server on the same 2 cores, after which the next round's first variant may still share the CPU with their exit.`,
    );
  } finally {
    await server.close();
    undo();
  }
};
