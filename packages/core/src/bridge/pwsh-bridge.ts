import type { PwshInfo } from '../pwsh/locate-pwsh.js';
import type { ParameterValue } from './encode-request.js';
import type { Frame } from './frames.js';
import { type BridgeRequestOptions, HostProtocol } from './host-protocol.js';
import { type BridgeStartOptions, PwshProcess } from './pwsh-process.js';

export type { SecretValue } from './frames.js';
export type { BridgeRequestOptions } from './host-protocol.js';
export type { BridgeStartOptions } from './pwsh-process.js';

/**
 * The pwsh host: a pwsh process (pwsh-process.ts) speaking the host protocol (host-protocol.ts) with the
 * bridge script (powershell/bridge.ps1) on its private side channel.
 */
export class PwshBridge {
  private constructor(
    private readonly host: PwshProcess,
    private readonly protocol: HostProtocol,
    readonly pid: number,
  ) {
    host.onExit(() => protocol.end('The PowerShell host exited.'));
  }

  static async start(options: BridgeStartOptions = {}): Promise<PwshBridge> {
    let started: PwshProcess | undefined;
    const { host, greeting } = await PwshProcess.start(options, async (channel, token) => {
      const protocol = new HostProtocol(channel, {
        peer: 'PowerShell host',
        kill: () => started?.kill(),
      });
      const hello = await protocol.handshake(token);
      return { pid: hello.pid, version: hello.version, protocol };
    });
    started = host;
    return new PwshBridge(host, greeting.protocol, greeting.pid);
  }

  get info(): PwshInfo {
    return this.host.info;
  }

  get alive(): boolean {
    return this.host.alive;
  }

  /**
   * Runs one command and yields its frames (objects, errors, warnings, information, progress) as they
   * arrive; returns the end frame. Requests on one host run one at a time, in call order.
   */
  request(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: BridgeRequestOptions = {},
  ): AsyncGenerator<Frame, { ok: boolean; stopped: boolean }, undefined> {
    return this.protocol.request(command, parameters, options);
  }

  /** Asks the running request to stop; the host stops its pipeline and ends the request. */
  stop(): void {
    this.protocol.stop();
  }

  kill(): void {
    this.host.kill();
  }

  /**
   * Ends the host: the request loop removes every session it still holds and returns, pwsh reads the end
   * of its stdin and exits; after graceMs it is killed.
   */
  async close(graceMs = 10_000): Promise<void> {
    await this.host.end(graceMs, async () => {
      // A request whose stream the caller abandoned never releases the queue; the exit does.
      await Promise.race([this.protocol.idle(), this.host.waitForExit()]);
      this.protocol.quit();
    });
  }

  waitForExit(): Promise<void> {
    return this.host.waitForExit();
  }
}
