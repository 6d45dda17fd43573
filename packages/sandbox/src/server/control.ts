import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { SandboxError } from '../errors/sandbox-error.js';
import { defaultTenantDir } from '../tenant-dir.js';
import { restDirectory } from './tenant-authority.js';

/**
 * A running server's own endpoint, for `exo sandbox approve` in another process: the server writes its URL and
 * a random control token to `<tenant>/rest/server.json` (0600, so only the tenant's owner can read it), and
 * accepts `POST /_sandbox/device-codes/<user code>/approve` only with that token.
 */
export const SERVER_STATE_FILE = 'server.json';
const APPROVE = /^\/_sandbox\/device-codes\/([A-Za-z0-9-]{1,64})\/approve$/;

export interface ServerState {
  pid: number;
  adminUrl: string;
  authorityUrl: string;
  caPath: string;
  tenantId: string;
  organization: string;
  controlToken: string;
}

export interface ControlRequest {
  state: ServerState;
  approve(userCode: string, upn?: string): void;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  return true;
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 4096) throw new Error('too large');
  }
  return text;
}

/** Serves the control paths (true) or leaves the request alone (false). */
export async function handleControl(
  control: ControlRequest,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
  if (!path.startsWith('/_sandbox/')) return false;
  const match = APPROVE.exec(path);
  if (!match || req.method !== 'POST') return reply(res, 404, { error: 'not_found' });
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  if (!sameSecret(token, control.state.controlToken)) return reply(res, 401, { error: 'unauthorized' });
  let upn: string | undefined;
  try {
    const body = await readSmallBody(req);
    const parsed = body ? (JSON.parse(body) as { userPrincipalName?: unknown }) : {};
    if (parsed.userPrincipalName !== undefined && typeof parsed.userPrincipalName !== 'string') {
      return reply(res, 400, { error: 'invalid_request', message: 'userPrincipalName must be a string.' });
    }
    upn = parsed.userPrincipalName;
  } catch {
    return reply(res, 400, { error: 'invalid_request', message: 'The body must be JSON of at most 4 KiB.' });
  }
  try {
    control.approve(match[1]!, upn);
  } catch (error) {
    return reply(res, 400, { error: 'invalid_grant', message: (error as Error).message });
  }
  return reply(res, 200, { approved: match[1] });
}

/** The server serving the tenant in `directory`, from its state file; undefined when none is running. */
export async function runningServer(directory: string): Promise<ServerState | undefined> {
  let state: ServerState;
  try {
    state = JSON.parse(
      await readFile(join(restDirectory(directory), SERVER_STATE_FILE), 'utf8'),
    ) as ServerState;
  } catch {
    return undefined;
  }
  try {
    process.kill(state.pid, 0);
  } catch (error) {
    // ESRCH: the process is gone (killed; its state file stayed). EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return state;
}

export interface ApproveDeviceCodeOptions {
  /** The tenant directory whose server holds the code; defaults to defaultTenantDir(). */
  directory?: string;
  /** Sign in as this user (default: the demo admin). */
  userPrincipalName?: string;
}

/**
 * Approves a device code pending on the server of a tenant, from any process of the tenant's owner: what the
 * user would do at the verification page. `exo sandbox approve <code>` calls this.
 */
export async function approveDeviceCode(
  userCode: string,
  options: ApproveDeviceCodeOptions = {},
): Promise<void> {
  const directory = options.directory ?? defaultTenantDir();
  const state = await runningServer(directory);
  if (!state) {
    throw new SandboxError('SERVER_NOT_RUNNING', `No sandbox server is serving the tenant in ${directory}.`);
  }
  const ca = await readFile(state.caPath, 'utf8');
  const url = new URL(`/_sandbox/device-codes/${encodeURIComponent(userCode)}/approve`, state.adminUrl);
  const body = JSON.stringify(
    options.userPrincipalName ? { userPrincipalName: options.userPrincipalName } : {},
  );
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      ca,
      headers: { authorization: `Bearer ${state.controlToken}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  }).catch((error: unknown) => {
    throw new SandboxError('SERVER_NOT_RUNNING', `The sandbox server at ${state.adminUrl} did not answer.`, {
      cause: error,
    });
  });
  if (answer.status === 200) return;
  let message = `The server refused the approval (HTTP ${answer.status}).`;
  try {
    message = (JSON.parse(answer.text) as { message?: string }).message ?? message;
  } catch {}
  throw new SandboxError('INVALID_OPTION', message, { details: { userCode } });
}

/** Where a running server of the tenant can be reached (what a client needs, without its control token). */
export type RunningSandboxServer = Omit<ServerState, 'controlToken'> & {
  /** The token scope for the admin API: `<adminUrl>/.default`. */
  scope: string;
};

/** The server `exo sandbox serve` (or startSandboxServer) runs for the tenant in `directory`, if any. */
export async function findSandboxServer(directory: string): Promise<RunningSandboxServer | undefined> {
  const state = await runningServer(directory);
  if (!state) return undefined;
  const { pid, adminUrl, authorityUrl, caPath, tenantId, organization } = state;
  return { pid, adminUrl, authorityUrl, caPath, tenantId, organization, scope: `${adminUrl}/.default` };
}
