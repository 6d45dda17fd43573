import { randomUUID } from 'node:crypto';
import type { ParameterValue } from '../bridge/encode-request.js';
import type { Frame, SecretValue } from '../bridge/frames.js';
import type { BridgeRequestOptions } from '../bridge/pwsh-bridge.js';
import type { RequestEnd, Transport, TransportFactory } from '../connect/host-port.js';
import type { Credential } from '../connect/options.js';
import { parseCredential } from '../connect/options.js';
import type { PlanContext } from '../connect/strategies/index.js';
import { REST_COMMANDS, restEndpointOf } from '../connect/strategies/rest.js';
import { hasProxySettings, resolveProxy } from '../connect/strategies/shared.js';
import { ExoError } from '../errors/exo-error.js';
import { createAdminApiClient } from './admin-api/index.js';
import type {
  AccessToken,
  AdminApiClient,
  BatchItem,
  BatchResult,
  RestHttp,
  TokenSource,
} from './contracts.js';
import { pumpFrames } from './frame-pump.js';
import { createRestHttp } from './http/rest-http.js';
import { createTokenSource } from './tokens/index.js';

/** The mailbox app-only requests are anchored to (REFERENCE.md §8), in the tenant the token is for. */
const APP_ANCHOR = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';

const DONE: RequestEnd = { ok: true, stopped: false };

/** Puts the secrets' values back where the credential holds references to them; in memory only. */
function withSecrets(value: unknown, secrets: Record<string, SecretValue> | undefined): unknown {
  if (value && typeof value === 'object' && '$exoSecret' in value) {
    const secret = secrets?.[String((value as { $exoSecret: unknown }).$exoSecret)];
    return secret && secret.kind !== 'credential' ? secret.value : undefined;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecrets(v, secrets)]));
  }
  return value;
}

function organizationOf(credential: Credential): string | undefined {
  return 'organization' in credential ? credential.organization : undefined;
}

/**
 * The rest strategy's transport: no process. It answers the strategy's own commands (token, session,
 * import, disconnect) and sends every other command to the admin API as InvokeCommand. A request that
 * breaks (a reset mid-page) leaves it usable: the next request opens new connections.
 */
export class RestTransport implements Transport {
  readonly pid = undefined;
  readonly survivesBrokenRequests = true;
  #alive = true;
  #tokens: TokenSource | undefined;
  #token: AccessToken | undefined;
  #client: AdminApiClient | undefined;
  #push: ((frame: Frame) => void) | undefined;
  /** What the token source said between requests (a cache not saved after a renewal): the next command's. */
  readonly #later: Frame[] = [];

  private constructor(
    private readonly ctx: PlanContext,
    private readonly http: RestHttp,
  ) {}

  /** Checks the environment has a REST API and builds the HTTP stack (proxy, CA); sends nothing. */
  static create(ctx: PlanContext): RestTransport {
    const rest = restEndpointOf(ctx);
    const proxy = hasProxySettings(ctx) ? resolveProxy(ctx).options : undefined;
    return new RestTransport(ctx, createRestHttp({ proxy, caPath: rest.caPath }));
  }

  get alive(): boolean {
    return this.#alive;
  }

  async *request(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: BridgeRequestOptions = {},
  ): AsyncGenerator<Frame, RequestEnd, undefined> {
    if (!this.#alive) throw new ExoError('SESSION_BROKEN', 'The REST connection is closed.');
    options.signal?.throwIfAborted();
    switch (command) {
      case REST_COMMANDS.token:
        yield* this.#signIn(parameters, options);
        return DONE;
      case REST_COMMANDS.session:
        yield { t: 'o', v: this.#openSession() };
        return DONE;
      case REST_COMMANDS.import:
        yield* this.#import(options.signal);
        return DONE;
      case REST_COMMANDS.disconnect:
        this.#drop();
        return DONE;
      default:
        while (this.#later.length) yield this.#later.shift()!;
        yield* this.#invoke(command, parameters, options);
        return DONE;
    }
  }

  /** `$batch` in chunks of 10 (names as the session exported them, prefix and all). */
  batch(items: readonly BatchItem[], options: { signal?: AbortSignal } = {}): Promise<BatchResult[]> {
    const client = this.#requireClient();
    const named = items.map((item) => ({ ...item, cmdlet: this.#serviceName(item.cmdlet) }));
    return client
      .batch(named, options)
      .then((results) => results.map((result, i) => ({ ...result, cmdlet: items[i]!.cmdlet })));
  }

  kill(): void {
    this.#drop();
    this.#alive = false;
    void this.http.close();
  }

  async close(): Promise<void> {
    this.#drop();
    this.#alive = false;
    await this.http.close();
  }

  async *#signIn(
    parameters: Record<string, ParameterValue>,
    options: BridgeRequestOptions,
  ): AsyncGenerator<Frame, void, undefined> {
    const credential = parseCredential(withSecrets(parameters.Credential, options.secrets));
    const rest = restEndpointOf(this.ctx);
    this.#tokens?.close();
    const tokens = createTokenSource(credential, {
      authority: rest.authority,
      scope: rest.scope,
      tenant: organizationOf(credential) ?? 'organizations',
      http: this.http,
      env: this.ctx.env,
      ...(this.ctx.tokenCache && { cache: this.ctx.tokenCache }),
      emit: (event) => {
        const frame: Frame | undefined =
          event.type === 'information'
            ? { t: 'i', m: event.message }
            : event.type === 'warning'
              ? { t: 'w', m: event.message }
              : undefined;
        if (!frame) return;
        if (this.#push) this.#push(frame);
        // A renewal's warning comes while no sign-in runs: it goes out with the next command (capped).
        else if (this.#later.length < 10) this.#later.push(frame);
      },
    });
    this.#tokens = tokens;
    const token = yield* pumpFrames(async (push) => {
      this.#push = push;
      try {
        return await tokens.get(options.signal);
      } finally {
        this.#push = undefined;
      }
    });
    this.#token = token;
    yield {
      t: 'o',
      v: { TenantId: token.tenantId, UserPrincipalName: token.userPrincipalName, AppId: token.appId },
    };
  }

  #openSession(): Record<string, string> {
    const token = this.#token;
    const tokens = this.#tokens;
    if (!token || !tokens)
      throw new Error('exo-connect: the rest session step ran before the credential step');
    this.#client?.close();
    const anchorMailbox = token.userPrincipalName
      ? `UPN:${token.userPrincipalName}`
      : `APP:${APP_ANCHOR}@${token.tenantId}`;
    const connectionId = randomUUID();
    this.#client = createAdminApiClient({
      apiUrl: restEndpointOf(this.ctx).apiUrl,
      tenant: token.tenantId,
      anchorMailbox,
      connectionId,
      tokens,
      http: this.http,
    });
    return { Tenant: token.tenantId, AnchorMailbox: anchorMailbox, ConnectionId: connectionId };
  }

  async *#import(signal: AbortSignal | undefined): AsyncGenerator<Frame, void, undefined> {
    const progress = (percent: number, status: string): Frame => ({
      t: 'p',
      activity: 'Importing cmdlets',
      status,
      percent,
      operation: null,
      activityId: 0,
      parentId: -1,
      completed: percent === 100,
    });
    yield progress(0, 'Asking the service which cmdlets your roles allow (EXOModuleFile)');
    const commands = await this.#requireClient().exportedCmdlets(signal);
    yield progress(100, `${commands.length} cmdlets`);
    yield { t: 'o', v: { Commands: commands } };
  }

  async *#invoke(
    command: string,
    parameters: Record<string, ParameterValue>,
    options: BridgeRequestOptions,
  ): AsyncGenerator<Frame, void, undefined> {
    const warnings: string[] = [];
    const pages = this.#requireClient().pages(this.#serviceName(command), parameters, {
      signal: options.signal,
      select: options.select,
      onWarning: (message) => warnings.push(message),
    });
    // A page is one frame: its objects are handed through the layers above together, not one by one.
    for await (const page of pages) {
      while (warnings.length) yield { t: 'w', m: warnings.shift()! };
      yield { t: 'os', v: page };
    }
    while (warnings.length) yield { t: 'w', m: warnings.shift()! };
  }

  /** The service's name of a command the session exported with a prefix: Get-ContosoMailbox → Get-Mailbox. */
  #serviceName(command: string): string {
    const prefix = this.ctx.prefix;
    if (!prefix) return command;
    const dash = command.indexOf('-');
    const noun = command.slice(dash + 1);
    return noun.toLowerCase().startsWith(prefix.toLowerCase()) && noun.length > prefix.length
      ? `${command.slice(0, dash + 1)}${noun.slice(prefix.length)}`
      : command;
  }

  #requireClient(): AdminApiClient {
    if (!this.#client || !this.#alive) {
      throw new ExoError('SESSION_BROKEN', 'The REST connection is not open.', {
        remediation: 'Connect again.',
      });
    }
    return this.#client;
  }

  /** Cancels what is in flight and drops the tokens: nothing is open remotely, so nothing else is left. */
  #drop(): void {
    this.#client?.close();
    this.#client = undefined;
    this.#tokens?.close();
    this.#tokens = undefined;
    this.#token = undefined;
  }
}

/** The rest strategy's transports for one connection: each start() is a new RestTransport. */
export function restTransportFactory(ctx: PlanContext): TransportFactory {
  return {
    start: async (options) => {
      options.signal?.throwIfAborted();
      return RestTransport.create(ctx);
    },
  };
}
