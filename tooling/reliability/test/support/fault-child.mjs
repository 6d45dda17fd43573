// A library user in its own Node process, for the signal faults of faults.test.ts: it connects with the built
// @exo-connect/core of this workspace (handleSignals at its default, true) to the sandbox tenant named by
// EXO_SANDBOX_DIR and prints one JSON line per event on stdout, so that the test can signal it in the state
// it wants. Usage: node fault-child.mjs <state>, state one of policy, credential, session, import, ready,
// mid-stream. It adds no signal listener of its own: what happens on a signal is the engine's doing.
// With EXO_FAULT_REST set (JSON: the running sandbox server's adminUrl, authorityUrl, scope and caPath) it
// connects by the rest strategy to that server instead: no pwsh of its own.
import { connect } from '@exo-connect/core';
import { SANDBOX_DEMO_CREDENTIAL, sandboxEnvironment } from '@exo-connect/sandbox';

const [target = 'ready'] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const failed = (error) => say({ type: 'error', code: error?.code ?? null, message: String(error?.message) });

// Keeps the event loop alive until a signal ends the process.
setInterval(() => undefined, 60_000);

const rest = process.env.EXO_FAULT_REST ? JSON.parse(process.env.EXO_FAULT_REST) : undefined;

let exo;
try {
  exo = await connect({
    environment: sandboxEnvironment(rest ? { server: rest } : {}),
    ...(rest ? { strategy: 'rest' } : {}),
    // A provider that answers after 2 s, as a prompt or a vault would: the credential state lasts that long.
    credential:
      target === 'credential'
        ? () => sleep(2_000).then(() => SANDBOX_DEMO_CREDENTIAL)
        : SANDBOX_DEMO_CREDENTIAL,
    onEvent: (event) => {
      if (event.type === 'state') say({ type: 'state', from: event.from, to: event.to });
    },
  });
} catch (error) {
  failed(error);
}
if (exo) {
  say({ type: 'ready', hostPid: exo.hostPid });
  if (target === 'mid-stream') {
    let count = 0;
    try {
      for await (const _ of exo.stream('Get-Mailbox', { ResultSize: 'Unlimited' })) {
        count++;
        if (count === 5) say({ type: 'streaming', count });
        await sleep(20);
      }
      say({ type: 'stream-done', count });
    } catch (error) {
      failed(error);
    }
  }
}
