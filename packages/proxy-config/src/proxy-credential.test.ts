import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ProxyCredential } from './proxy-credential.js';

const password = 'Pr0xy-s3cret!';

describe('ProxyCredential', () => {
  it('hands the password out only through reveal()', () => {
    const credential = new ProxyCredential('CORP\\alice', password);
    expect(credential.userName).toBe('CORP\\alice');
    expect(credential.reveal()).toEqual({ userName: 'CORP\\alice', password });
  });

  it('never shows the password through JSON, inspect, String() or object enumeration', () => {
    const credential = new ProxyCredential('alice', password);
    const holder = { deep: { list: [credential] } };
    for (const text of [
      JSON.stringify(holder),
      inspect(holder, { depth: 10, showHidden: true, getters: true }),
      String(credential),
      `${credential}`,
      Object.values(credential).join(','),
    ]) {
      expect(text).not.toContain(password);
    }
    expect(JSON.stringify(credential)).toBe('{"userName":"alice","password":"[redacted]"}');
    expect(inspect(credential)).toContain('[redacted]');
  });
});
