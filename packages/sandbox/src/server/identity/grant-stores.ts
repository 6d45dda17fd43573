import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * The platform's short-lived grants, in memory: pending device codes and issued refresh tokens. A restart
 * forgets them, as a client then simply signs in again. Records are kept a while past expiry, so that a late
 * poll still hears "expired" rather than "unknown", then swept.
 */

const RETENTION_MS = 10 * 60_000;
const USER_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export interface DelegatedUser {
  upn: string;
  objectId?: string;
  displayName?: string;
}

export interface DeviceCodeRecord {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  state: 'pending' | 'approved' | 'redeemed';
  upn?: string;
}

export type DeviceCodeRedemption =
  | { kind: 'unknown' | 'pending' | 'expired' | 'redeemed' | 'wrong-client' }
  | { kind: 'approved'; record: DeviceCodeRecord };

export class DeviceCodeStore {
  private readonly byDeviceCode = new Map<string, DeviceCodeRecord>();

  constructor(private readonly now: () => number) {}

  create(clientId: string, scope: string, lifetimeSeconds: number): DeviceCodeRecord {
    this.sweep();
    const live = new Set([...this.byDeviceCode.values()].map((record) => record.userCode));
    let userCode: string;
    do {
      userCode = Array.from(
        { length: 9 },
        () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)],
      ).join('');
    } while (live.has(userCode));
    const record: DeviceCodeRecord = {
      deviceCode: randomBytes(48).toString('base64url'),
      userCode,
      clientId,
      scope,
      expiresAt: this.now() + lifetimeSeconds * 1000,
      state: 'pending',
    };
    this.byDeviceCode.set(record.deviceCode, record);
    return record;
  }

  /** What the browser sign-in would do: marks a pending, unexpired code as signed in by `upn`. */
  approve(userCode: string, upn: string): boolean {
    const wanted = userCode.trim().toUpperCase();
    for (const record of this.byDeviceCode.values()) {
      if (record.userCode !== wanted) continue;
      if (record.state !== 'pending' || this.now() >= record.expiresAt) return false;
      record.state = 'approved';
      record.upn = upn;
      return true;
    }
    return false;
  }

  /** One poll of the token endpoint; an approved code is redeemed by the first poll that finds it. */
  redeem(deviceCode: string, clientId: string): DeviceCodeRedemption {
    const record = this.byDeviceCode.get(deviceCode);
    if (!record) return { kind: 'unknown' };
    if (record.clientId !== clientId.toLowerCase()) return { kind: 'wrong-client' };
    if (record.state === 'redeemed') return { kind: 'redeemed' };
    if (this.now() >= record.expiresAt) return { kind: 'expired' };
    if (record.state === 'pending') return { kind: 'pending' };
    record.state = 'redeemed';
    return { kind: 'approved', record };
  }

  private sweep(): void {
    const cutoff = this.now() - RETENTION_MS;
    for (const [code, record] of this.byDeviceCode)
      if (record.expiresAt < cutoff) this.byDeviceCode.delete(code);
  }
}

export interface RefreshRecord {
  clientId: string;
  user: DelegatedUser;
  amr: string[];
  expiresAt: number;
}

export type RefreshLookup =
  | { kind: 'unknown' | 'expired' | 'wrong-client' }
  | { kind: 'ok'; record: RefreshRecord };

/** Refresh tokens are opaque random strings; the store keeps only their SHA-256, never the token itself. */
export class RefreshTokenStore {
  private readonly byHash = new Map<string, RefreshRecord>();

  constructor(private readonly now: () => number) {}

  issue(clientId: string, user: DelegatedUser, amr: string[], lifetimeSeconds: number): string {
    this.sweep();
    const token = `sbx.${randomBytes(64).toString('base64url')}`;
    this.byHash.set(hash(token), { clientId, user, amr, expiresAt: this.now() + lifetimeSeconds * 1000 });
    return token;
  }

  /** Entra lets a refresh token be used again until it expires; so does the sandbox. */
  lookup(token: string, clientId: string): RefreshLookup {
    const record = this.byHash.get(hash(token));
    if (!record) return { kind: 'unknown' };
    if (record.clientId !== clientId.toLowerCase()) return { kind: 'wrong-client' };
    if (this.now() >= record.expiresAt) return { kind: 'expired' };
    return { kind: 'ok', record };
  }

  private sweep(): void {
    const cutoff = this.now() - RETENTION_MS;
    for (const [key, record] of this.byHash) if (record.expiresAt < cutoff) this.byHash.delete(key);
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
