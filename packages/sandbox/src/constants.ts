/** The URI the sandbox answers; the New-PSSession proxy function intercepts only this one. */
export const SANDBOX_CONNECTION_URI = 'https://sandbox.exo.localhost/powershell-liveid/';

/**
 * The sandbox's demo administrator. The password is public on purpose: it opens nothing but a local,
 * generated tenant on this machine.
 */
export const SANDBOX_DEMO_CREDENTIAL = Object.freeze({
  userPrincipalName: 'admin@sandbox.exo.localhost',
  password: 'Sandbox-Demo-Pa55!',
});
