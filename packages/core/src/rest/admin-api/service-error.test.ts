import { describe, expect, it } from 'vitest';
import { parseErrorBody } from './error-body.js';
import { missingRoleRemedy, serviceError } from './service-error.js';

const context = {
  cmdlet: 'Get-Mailbox',
  what: 'Get-Mailbox',
  host: 'outlook.office365.com',
  tenant: 'contoso.onmicrosoft.com',
  requestId: 'r-1',
};
const odata = (status: string, message: string, detail?: string) =>
  parseErrorBody(
    JSON.stringify({
      error: {
        code: status,
        message,
        ...(detail ? { details: [{ code: 'Context', target: '', message: detail }] } : {}),
      },
    }),
  );

describe('serviceError', () => {
  it("a cmdlet failure is CMDLET_ERROR with the cmdlet's own text and its facts", () => {
    const type = 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException';
    const error = serviceError(
      {
        status: 404,
        body: odata('NotFound', 'Error executing cmdlet', `Ex6F9304|${type}|It couldn't be found.`),
      },
      context,
    );
    expect(error.code).toBe('CMDLET_ERROR');
    expect(error.message).toBe("It couldn't be found.");
    expect(error.details).toMatchObject({
      cmdlet: 'Get-Mailbox',
      exceptionType: type,
      httpStatus: 404,
      requestId: 'r-1',
    });
  });

  it('classifies the cmdlet text as the pwsh side does (missing parameters → INVALID_ARGUMENT)', () => {
    const error = serviceError(
      {
        status: 400,
        body: odata(
          'BadRequest',
          'Error executing cmdlet',
          'Ex1|System.Management.Automation.ParameterBindingException|Cannot process command because of one or more missing mandatory parameters: Name.',
        ),
      },
      context,
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details.missingParameters).toEqual(['Name']);
  });

  it('a bare 403 is a missing role, with the remedy naming the cmdlet', () => {
    const error = serviceError({ status: 403, body: parseErrorBody('') }, context);
    expect(error.code).toBe('CMDLET_ERROR');
    expect(error.remediation).toBe(missingRoleRemedy('Get-Mailbox'));
    expect(error.remediation).toContain(
      'lacks the Exchange role for Get-Mailbox; ask for View-Only or Organization Management',
    );
    expect(error.details.reason).toBe('missing-role');
  });

  it("a 401 after the refresh is AUTH_FAILED with the service's text", () => {
    const error = serviceError(
      { status: 401, body: odata('Unauthorized', 'The access token has expired.') },
      context,
    );
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain('The access token has expired.');
  });

  it('throttling ends as THROTTLED with the wait, also for a plain-text reply', () => {
    const error = serviceError(
      {
        status: 429,
        body: parseErrorBody('maximum number of concurrent requests per tenant'),
        retryAfterMs: 4000,
        throttled: true,
      },
      context,
    );
    expect(error).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(error.details.retryAfterMs).toBe(4000);
    expect(serviceError({ status: 503, body: parseErrorBody('') }, context).code).toBe('THROTTLED');
  });

  it('a 404 without a cmdlet detail names the tenant', () => {
    const error = serviceError(
      { status: 404, body: odata('NotFound', "Tenant 'contoso.onmicrosoft.com' not found.") },
      context,
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain("tenant 'contoso.onmicrosoft.com'");
    expect(error.details.field).toBe('tenant');
  });

  it('a 400 of the service itself is INVALID_ARGUMENT; a 504 of a write may have run', () => {
    expect(
      serviceError(
        { status: 400, body: odata('BadRequest', 'The request body must be a JSON object.') },
        context,
      ).code,
    ).toBe('INVALID_ARGUMENT');
    const write = serviceError(
      { status: 504, body: parseErrorBody(''), unsafeWrite: true },
      { ...context, cmdlet: 'Set-Mailbox', what: 'Set-Mailbox' },
    );
    expect(write).toMatchObject({ code: 'SESSION_BROKEN', retryable: false });
    expect(write.remediation).toContain('may or may not have run');
    expect(serviceError({ status: 504, body: parseErrorBody('') }, context).code).toBe('TIMEOUT');
  });
});
