import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { RestServerFacts } from './rest-server.js';

/** The ExchangeOnlineManagement module's public client id, which the sandbox's password grant accepts. */
export const EXO_CLIENT_ID = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
/** The module version connect() names in EXOModuleFile (core's MODULE_VERSION). */
const MODULE_VERSION = '3.9.0';

export interface RawTimings {
  discovery: number;
  token: number;
  moduleFile: number;
}

async function json(
  agent: Agent,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<unknown> {
  const reply = await request(url, { ...init, dispatcher: agent });
  const text = await reply.body.text();
  if (reply.statusCode !== 200)
    throw new Error(`${init.method} ${url} answered ${reply.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * The floor of the rest strategy, written out by hand on undici (the HTTP client core uses): the same requests
 * connect() sends and the same headers on every InvokeCommand, with nothing around them — no MSAL, no state
 * machine, no retries, no checks beyond the status.
 */
export class RawRestClient {
  readonly #headers: Record<string, string>;
  readonly #invokeUrl: string;

  private constructor(
    private readonly agent: Agent,
    token: string,
    anchorMailbox: string,
    facts: RestServerFacts,
    readonly commands: string[],
    readonly timings: RawTimings,
  ) {
    this.#invokeUrl = `${facts.adminUrl}/adminapi/beta/${facts.tenantId}/InvokeCommand`;
    this.#headers = {
      accept: 'application/json',
      'x-anchormailbox': anchorMailbox,
      'connection-id': randomUUID(),
      'x-clientapplication': 'ExoManagementModule',
      authorization: `Bearer ${token}`,
    };
  }

  /**
   * connect()'s three requests on a fresh connection pool (as each connect() builds its own): the authority's
   * OpenID configuration (MSAL asks for it first), the password grant at the token endpoint it names, and
   * EXOModuleFile for the cmdlets the roles allow, whose names are read out as connect() reads them.
   */
  static async connect(
    facts: RestServerFacts,
    ca: string,
    credential: { userPrincipalName: string; password: string },
  ): Promise<RawRestClient> {
    const agent = new Agent({ connect: { ca } });
    try {
      let t = performance.now();
      const discovery = (await json(
        agent,
        `${facts.authorityUrl}/organizations/v2.0/.well-known/openid-configuration`,
        {
          method: 'GET',
          headers: { accept: 'application/json' },
        },
      )) as { token_endpoint: string };
      const discoveryMs = performance.now() - t;
      t = performance.now();
      const token = (await json(agent, discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: EXO_CLIENT_ID,
          scope: facts.scope,
          username: credential.userPrincipalName,
          password: credential.password,
        }).toString(),
      })) as { access_token: string };
      const tokenMs = performance.now() - t;
      t = performance.now();
      const anchor = `UPN:${credential.userPrincipalName}`;
      const files = (await json(
        agent,
        `${facts.adminUrl}/adminapi/v1.0/${facts.tenantId}/EXOModuleFile?Version=${MODULE_VERSION}`,
        {
          method: 'GET',
          headers: {
            accept: 'application/json',
            'x-anchormailbox': anchor,
            'connection-id': randomUUID(),
            'x-clientapplication': 'ExoManagementModule',
            commandname: '*',
            authorization: `Bearer ${token.access_token}`,
            'client-request-id': randomUUID(),
          },
        },
      )) as { value: Array<{ exportedCmdlets?: string }> };
      const commands = files.value.flatMap((f) => (f.exportedCmdlets ?? '').split(',').map((c) => c.trim()));
      const moduleFileMs = performance.now() - t;
      return new RawRestClient(agent, token.access_token, anchor, facts, commands.filter(Boolean), {
        discovery: discoveryMs,
        token: tokenMs,
        moduleFile: moduleFileMs,
      });
    } catch (error) {
      await agent.destroy();
      throw error;
    }
  }

  /** One InvokeCommand page: the request connect()'s invoke() sends, headers and all. */
  async #page(url: string, cmdlet: string, body: string, pageSize: number) {
    return (await json(this.agent, url, {
      method: 'POST',
      headers: {
        ...this.#headers,
        'content-type': 'application/json',
        prefer: `odata.maxpagesize=${pageSize}`,
        'x-cmdletname': cmdlet,
        'x-responseformat': 'json',
        'client-request-id': randomUUID(),
      },
      body,
    })) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
  }

  /** InvokeCommand's first page only. */
  async invoke(cmdlet: string, parameters: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    return (await this.#page(this.#invokeUrl, cmdlet, body, 1000)).value;
  }

  /** Every page of a result, following @odata.nextLink with the same body (as the module and core do). */
  async *pages(
    cmdlet: string,
    parameters: Record<string, unknown>,
    pageSize = 1000,
  ): AsyncGenerator<Record<string, unknown>[], void, undefined> {
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    let url: string | undefined = this.#invokeUrl;
    while (url) {
      const page = await this.#page(url, cmdlet, body, pageSize);
      url = page['@odata.nextLink'];
      yield page.value;
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
