// A library user of @exo-connect/core, run as its own Node process by test/secrets.test.ts (so its argv,
// environment, stdout and stderr can be inspected, with DEBUG=* turning on node-powershell's debug log).
// Reads { userPrincipalName, password, wrongUser, reportPath } as JSON on stdin: the password is never in
// argv or the environment. Runs a good and a failing connect per strategy, and writes what a library user
// could see (events, errors as JSON and util.inspect, node-powershell's command history) to reportPath.
import { readFileSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { connect, PwshBridge } from '@exo-connect/core';
import { sandboxEnvironment } from '@exo-connect/sandbox';

const input = JSON.parse(readFileSync(0, 'utf8'));
const report = { scenarios: [] };

/** Every PowerShell host started, to read node-powershell's history (the bridge keeps it private). */
const bridges = [];
const hosts = {
  async start(options) {
    const bridge = await PwshBridge.start(options);
    bridges.push(bridge);
    return bridge;
  },
};
const histories = () => bridges.map((b) => JSON.stringify(b.shell?.history ?? null));

function describeError(error) {
  const chain = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; e = e.cause, depth++) {
    chain.push({
      json: JSON.stringify(e),
      inspect: inspect(e, { depth: null, showHidden: true }),
      string: String(e),
      stack: e?.stack,
      details: JSON.stringify(e?.details ?? null),
    });
  }
  return chain;
}

async function scenario(name, options, work) {
  const entry = { name, events: [], historySnapshots: [], outcome: 'ok', errors: [], rows: 0 };
  report.scenarios.push(entry);
  const onEvent = (event) => {
    entry.events.push(JSON.stringify(event));
    entry.historySnapshots.push(...histories());
  };
  try {
    const exo = await connect(
      { environment: sandboxEnvironment(), handleSignals: false, ...options, onEvent },
      { hosts },
    );
    entry.historySnapshots.push(...histories());
    try {
      entry.rows = await work(exo);
      entry.historySnapshots.push(...histories());
    } finally {
      await exo.disconnect();
    }
  } catch (error) {
    entry.outcome = error?.code ?? 'error';
    entry.errors.push(...describeError(error));
  }
  entry.historySnapshots.push(...histories());
}

const good = { userPrincipalName: input.userPrincipalName, password: input.password };
const wrong = { userPrincipalName: input.wrongUser, password: input.password };
const read = async (exo) => {
  const rows = await exo.invoke('Get-Mailbox', { Identity: input.userPrincipalName });
  let streamed = 0;
  for await (const _ of exo.stream('Get-Mailbox', { ResultSize: 3 })) streamed++;
  return rows.length + streamed;
};

await scenario(
  'connect with a credential provider (rps)',
  { strategy: 'rps', credential: async () => good },
  read,
);
await scenario('connect (module)', { strategy: 'module', credential: good }, read);
await scenario('failing connect: wrong password (rps)', { strategy: 'rps', credential: wrong }, read);
await scenario('failing connect: wrong password (module)', { strategy: 'module', credential: wrong }, read);

writeFileSync(input.reportPath, JSON.stringify(report));
process.stdout.write(`done ${report.scenarios.map((s) => `${s.name}=${s.outcome}`).join('; ')}\n`);
