import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AuthenticateResult, IdentityDirectory } from './context.js';
import {
  createIdentityPlatform,
  type IdentityPlatform,
  type IdentityPlatformOptions,
} from './identity-platform.js';
import { loadOrCreateSigningKey, type SigningKey } from './signing-keys.js';

/**
 * Shared by the identity platform's tests (excluded from the build): a platform behind a real node:http
 * server on 127.0.0.1, and a small in-memory user directory standing in for the sandbox engine's.
 */

export const TENANT_ID = '5b1b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
export const ORGANIZATION = 'sandbox.onmicrosoft.localhost';
export const EXO_CLIENT = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
export const PASSWORD = 'Sandbox-Demo-Pa55!';

const USERS: Record<string, AuthenticateResult> = {
  'admin@sandbox.exo.localhost': {
    ok: true,
    upn: 'admin@sandbox.exo.localhost',
    displayName: 'Sandbox Admin',
  },
  'mfa@sandbox.exo.localhost': { ok: false, reason: 'mfa-required' },
  'federated@federated.sandbox.exo.localhost': { ok: false, reason: 'federated' },
};

export const memoryDirectory: IdentityDirectory = {
  authenticate(upn, password) {
    const user = USERS[upn.toLowerCase()];
    if (!user) return { ok: false, reason: 'unknown-user' };
    if (user.ok && password !== PASSWORD) return { ok: false, reason: 'bad-password' };
    return user;
  },
  findUser(upn) {
    const user = USERS[upn.toLowerCase()];
    return user ? { upn: upn.toLowerCase() } : undefined;
  },
};

export async function testSigningKey(directory: string): Promise<SigningKey> {
  return loadOrCreateSigningKey(join(directory, 'identity'));
}

export interface TestPlatform {
  platform: IdentityPlatform;
  /** http://127.0.0.1:PORT, the authority and the audience alike. */
  base: string;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

type Overrides = Partial<IdentityPlatformOptions> & { signingKey: SigningKey };

export async function startTestPlatform(overrides: Overrides): Promise<TestPlatform> {
  let platform: IdentityPlatform | undefined;
  const server = createServer((req, res) => {
    void platform?.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('not the identity platform');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  platform = createIdentityPlatform({
    tenantId: TENANT_ID,
    organization: ORGANIZATION,
    domains: ['sandbox.exo.localhost'],
    authority: base,
    audience: base,
    directory: memoryDirectory,
    ...overrides,
  });
  const send = async (path: string, init: RequestInit): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
  };
  return {
    platform,
    base,
    post: (path, form, headers = {}) =>
      send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form),
      }),
    get: (path, headers = {}) => send(path, { headers }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Asserts Entra's error body exactly: `message` is the AADSTS text after the code, or a RegExp for it. */
export function expectEntraError(
  reply: Reply,
  status: number,
  error: string,
  code: number,
  message: string | RegExp,
) {
  expect(reply.status).toBe(status);
  const body = reply.body;
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  const text = typeof message === 'string' ? escapeRegExp(message) : message.source;
  expect(body.error_description).toMatch(
    new RegExp(
      `^AADSTS${code}: ${text} Trace ID: ${GUID} Correlation ID: ${GUID} Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
    ),
  );
  expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body.error_description).toContain(
    `Trace ID: ${body.trace_id} Correlation ID: ${body.correlation_id}`,
  );
  expect(body.error_uri).toMatch(new RegExp(`/error\\?code=${code}$`));
}
