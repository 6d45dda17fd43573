import { describe, expect, it } from 'vitest';
import { SANDBOX_CONNECTION_URI, SANDBOX_DEMO_CREDENTIAL, SANDBOX_PERSONAS } from './constants.js';

describe('sandbox constants', () => {
  it('answers one https URI on a .localhost host, which never resolves to a real service', () => {
    const uri = new URL(SANDBOX_CONNECTION_URI);
    expect(uri.protocol).toBe('https:');
    expect(uri.hostname.endsWith('.localhost')).toBe(true);
    expect(uri.pathname).toBe('/powershell-liveid/');
  });

  it('keeps the demo credential and the admin persona the same account', () => {
    expect(SANDBOX_PERSONAS.admin.userPrincipalName).toBe(SANDBOX_DEMO_CREDENTIAL.userPrincipalName);
    expect(Object.isFrozen(SANDBOX_DEMO_CREDENTIAL)).toBe(true);
  });

  it('gives every persona its own account on a sandbox domain', () => {
    const upns = Object.values(SANDBOX_PERSONAS).map((p) => p.userPrincipalName);
    expect(new Set(upns).size).toBe(upns.length);
    for (const [id, persona] of Object.entries(SANDBOX_PERSONAS)) {
      expect(persona.id).toBe(id);
      expect(persona.userPrincipalName).toMatch(/^[a-z]+@([a-z]+\.)?sandbox\.exo\.localhost$/);
    }
  });
});
