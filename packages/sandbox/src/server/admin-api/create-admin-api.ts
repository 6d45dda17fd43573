import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { SandboxError } from '../../errors/sandbox-error.js';
import type { Engine } from '../contracts.js';
import {
  type AdminApiTenant,
  type AuthOptions,
  authenticate,
  type ResolvedTenant,
  type TenantResolver,
  tenantResolver,
  type VerifyToken,
} from './auth.js';
import { readBatch, sendBatch } from './batch.js';
import { createCursorStore } from './cursors.js';
import { createFaultPolicy, type FaultPolicy } from './faults.js';
import { admitRequest, type CommandInfo, type InvokeDeps, invokeCommand } from './invoke-command.js';
import { moduleFile } from './module-file.js';
import { errorOutcome, type Outcome, sendOutcome } from './outcome.js';
import { readBody } from './read-body.js';
import { parsePrefer, queryOption } from './request-options.js';

export interface AdminApiOptions {
  engine: Engine;
  /** The tenants served, named in URLs by id or domain (any case); or a function that resolves a URL segment. */
  tenants: readonly AdminApiTenant[] | TenantResolver;
  verifyToken: VerifyToken;
  /** Scheme and authority clients reach the API at (e.g. https://127.0.0.1:8443): links are built on it. */
  baseUrl: string;
  /** Largest request body accepted; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The fault policy to consult; keep a reference to change faults at run time. Default: no faults. */
  faults?: FaultPolicy;
  /** Bounds of the nextLink cursor map. Default 1000 entries of 10 minutes. */
  cursors?: { maxEntries?: number; ttlSeconds?: number };
  /** The authorization_uri of the 401 challenge. Default: `<baseUrl>/organizations/oauth2/v2.0/authorize`. */
  authorizationUri?: string;
  /** The cursor map's clock. */
  now?: () => number;
  /** How slow pages wait (tests inject their own). */
  sleep?: (ms: number) => Promise<void>;
}

export interface AdminApi {
  /** Serves a request under /adminapi/; resolves to false, having done nothing, for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  readonly faults: FaultPolicy;
  /** How many nextLinks can still be followed. */
  readonly openCursors: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The REST admin API face of the sandbox: InvokeCommand, $batch and EXOModuleFile over an Engine. */
export function createAdminApi(options: AdminApiOptions): AdminApi {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new SandboxError('INVALID_OPTION', 'maxBodyBytes must be a whole number of bytes above 0.', {
      details: { option: 'maxBodyBytes' },
    });
  }
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const faults = options.faults ?? createFaultPolicy();
  const cursors = createCursorStore({
    ...(options.cursors?.maxEntries !== undefined ? { maxEntries: options.cursors.maxEntries } : {}),
    ...(options.cursors?.ttlSeconds !== undefined ? { ttlMs: options.cursors.ttlSeconds * 1000 } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  let commandList: Promise<readonly CommandInfo[]> | undefined;
  const commands = () => {
    commandList ??= options.engine.commands().catch((error: unknown) => {
      commandList = undefined;
      throw error;
    });
    return commandList;
  };
  const deps: InvokeDeps = {
    engine: options.engine,
    commands,
    cursors,
    faults,
    baseUrl,
    sleep: options.sleep ?? ((ms) => delay(ms)),
  };
  const resolveTenant = tenantResolver(options.tenants);
  const auth: AuthOptions = {
    verifyToken: options.verifyToken,
    resolveTenant,
    authorizationUri: options.authorizationUri ?? `${baseUrl}/organizations/oauth2/v2.0/authorize`,
  };
  // Past the cap, this much more is read and dropped so the client can finish sending and read the 413.
  const bodyLimits = { maxBytes: maxBodyBytes, drainBytes: Math.max(4 * maxBodyBytes, 1024 * 1024) };

  /** The body as JSON (undefined when empty), or undefined after an answer has been sent. */
  async function readJson(
    req: IncomingMessage,
    res: ServerResponse,
    parse: boolean,
    headers: Record<string, string>,
  ): Promise<{ value: unknown } | undefined> {
    if (parse) {
      const type = header(req, 'content-type');
      if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type.trim())) {
        const text = `The content type '${type}' is not supported: send the body as application/json.`;
        await sendOutcome(res, errorOutcome(400, text, headers));
        return undefined;
      }
    }
    const read = await readBody(req, bodyLimits);
    if (read.kind === 'aborted') return undefined;
    if (read.kind === 'too-large') {
      const text = `The request body is larger than the limit of ${maxBodyBytes} bytes.`;
      await sendOutcome(res, errorOutcome(413, text, { ...headers, Connection: 'close' }));
      return undefined;
    }
    if (!parse || read.text.trim() === '') return { value: undefined };
    try {
      return { value: JSON.parse(read.text) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await sendOutcome(res, errorOutcome(400, `The request body is not valid JSON: ${reason}`, headers));
      return undefined;
    }
  }

  async function serveInvoke(req: IncomingMessage, res: ServerResponse, url: URL, segment: string) {
    const following = queryOption(url.searchParams, '$skiptoken') !== null;
    if (req.method !== 'POST' && !(req.method === 'GET' && following)) {
      return sendOutcome(res, notAllowed(req, following ? 'GET, POST' : 'POST'));
    }
    const caller = await authenticate(auth, header(req, 'authorization'), segment);
    if (!caller.ok) return sendOutcome(res, caller.outcome);
    const admitted = admitRequest(faults, caller.tenant, header(req, 'x-anchormailbox'));
    if (!admitted.ok) return sendOutcome(res, admitted.outcome);
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJson(req, res, !following, admitted.headers);
      if (!read) return;
      body = read.value;
    }
    const outcome = await invokeCommand(deps, {
      tenant: caller.tenant,
      caller: caller.caller,
      preferences: parsePrefer(req.headers.prefer),
      search: url.searchParams,
      body,
      headers: admitted.headers,
    });
    return sendOutcome(res, outcome);
  }

  async function serveBatch(req: IncomingMessage, res: ServerResponse, segment: string) {
    if (req.method !== 'POST') return sendOutcome(res, notAllowed(req, 'POST'));
    const caller = await authenticate(auth, header(req, 'authorization'), segment);
    if (!caller.ok) return sendOutcome(res, caller.outcome);
    const read = await readJson(req, res, true, {});
    if (!read) return;
    const batch = readBatch(read.value);
    if (!batch.ok) return sendOutcome(res, errorOutcome(400, batch.message));
    return sendBatch(
      res,
      {
        deps,
        resolveTenant,
        tenant: caller.tenant,
        caller: caller.caller,
        anchor: header(req, 'x-anchormailbox'),
        prefer: header(req, 'prefer'),
      },
      batch.items,
    );
  }

  async function serveModuleFile(req: IncomingMessage, res: ServerResponse, segment: string) {
    if (req.method !== 'GET') return sendOutcome(res, notAllowed(req, 'GET'));
    const caller = await authenticate(auth, header(req, 'authorization'), segment);
    if (!caller.ok) return sendOutcome(res, caller.outcome);
    const tenant: ResolvedTenant = caller.tenant;
    return sendOutcome(
      res,
      moduleFile(baseUrl, tenant, caller.caller, await commands(), header(req, 'commandname')),
    );
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]) {
    const [, , version = '', segment = '', resource = ''] = parts;
    const known = parts.length === 5 && segment !== '';
    const at = (v: string, r: string) => known && version.toLowerCase() === v && resource.toLowerCase() === r;
    if (at('beta', 'invokecommand')) return serveInvoke(req, res, url, segment);
    if (at('beta', '$batch')) return serveBatch(req, res, segment);
    if (at('v1.0', 'exomodulefile')) return serveModuleFile(req, res, segment);
    const text = `No HTTP resource was found that matches the request URI '${baseUrl}${url.pathname}'.`;
    return sendOutcome(res, errorOutcome(404, text));
  }

  return {
    async handle(req, res) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://adminapi.invalid');
      } catch {
        return false;
      }
      const parts = url.pathname.split('/').map(safeDecode);
      if (parts[1]?.toLowerCase() !== 'adminapi') return false;
      if (parts.length > 2 && parts.at(-1) === '') parts.pop();
      res.setHeader('request-id', randomUUID());
      const clientRequestId = header(req, 'client-request-id');
      if (clientRequestId !== undefined && /^[\w-]{1,64}$/.test(clientRequestId)) {
        res.setHeader('client-request-id', clientRequestId);
      }
      try {
        await route(req, res, url, parts);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) await sendOutcome(res, errorOutcome(500, `The admin API failed: ${reason}`));
        else res.socket?.destroy();
      }
      return true;
    },
    faults,
    get openCursors() {
      return cursors.size;
    },
  };
}

function notAllowed(req: IncomingMessage, allow: string): Outcome {
  return errorOutcome(
    405,
    `The HTTP method '${req.method}' is not allowed for this resource; use ${allow}.`,
    {
      Allow: allow,
    },
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SandboxError('INVALID_OPTION', `baseUrl must be an http or https URL, not '${baseUrl}'.`, {
      details: { option: 'baseUrl' },
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
