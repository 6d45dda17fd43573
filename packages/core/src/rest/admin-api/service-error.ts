import { classifyText } from '../../errors/classify-error.js';
import { ExoError } from '../../errors/exo-error.js';
import { allText, bestText, type ServiceErrorBody } from './error-body.js';

/** What a failure is named by: the call, where it went, and the ids a support case needs. */
export interface FailureContext {
  /** The cmdlet of an InvokeCommand call; none for EXOModuleFile and a $batch envelope. */
  cmdlet?: string;
  /** How messages name the call: the cmdlet, `EXOModuleFile` or `$batch`. */
  what: string;
  host: string;
  tenant: string;
  requestId?: string;
}

export interface AnsweredFailure {
  status: number;
  body: ServiceErrorBody;
  /** The wait the service asked for, when the retries ended on a throttling reply. */
  retryAfterMs?: number;
  /** The body's text is the service's throttling (whatever the status). */
  throttled?: boolean;
  /** The service's answer does not prove that the write did not run (a 504). */
  unsafeWrite?: boolean;
}

export function missingRoleRemedy(cmdlet: string): string {
  return `The account lacks the Exchange role for ${cmdlet}; ask for View-Only or Organization Management, or use a role that includes it.`;
}

/** Turns a reply the service answered with an error status into an ExoError with a stable code. */
export function serviceError(failure: AnsweredFailure, context: FailureContext): ExoError {
  const { status, body } = failure;
  const text = bestText(body);
  const details = {
    ...(context.cmdlet ? { cmdlet: context.cmdlet } : {}),
    ...(body.detail?.exceptionType ? { exceptionType: body.detail.exceptionType } : {}),
    ...(body.detail?.code ? { errorCode: body.detail.code } : {}),
    httpStatus: status,
    ...(context.requestId ? { requestId: context.requestId } : {}),
    host: context.host,
  };
  const said = text ? `: ${text}` : '.';
  if (failure.unsafeWrite) {
    return new ExoError(
      'SESSION_BROKEN',
      `${context.what} got no answer from ${context.host} (HTTP ${status})${said}`,
      {
        details,
        retryable: false,
        remediation: mayHaveRunRemedy(context.what),
      },
    );
  }
  if (status === 401) {
    return new ExoError('AUTH_FAILED', `The admin API refused the access token (HTTP 401)${said}`, {
      details,
      remediation:
        `A fresh token was refused too. Check that the token is for ${context.host} (scope ` +
        `https://${context.host}/.default) and for tenant '${context.tenant}', then sign in again.`,
    });
  }
  if (status === 429 || status === 503 || failure.throttled) {
    const wait =
      failure.retryAfterMs === undefined
        ? ''
        : ` It asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s.`;
    const what =
      status === 503 ? 'The service is unavailable for now' : 'The service is throttling this tenant';
    return new ExoError('THROTTLED', `${context.what} was refused (HTTP ${status})${said}`, {
      details: {
        ...details,
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      },
      remediation: `${what}.${wait} Wait and try again, and send fewer requests at once.`,
    });
  }
  if (body.detail) return cmdletFailure(body, details, context);
  if (status === 403) {
    if (!context.cmdlet) {
      return new ExoError('AUTH_FAILED', `${context.what} was refused (HTTP 403)${said}`, {
        details,
        remediation:
          'The account may not use Exchange Online PowerShell: ask an administrator to enable it and give it an Exchange role.',
      });
    }
    return new ExoError(
      'CMDLET_ERROR',
      `${context.cmdlet} was refused (HTTP 403): the account may not run it.`,
      {
        details: { ...details, reason: 'missing-role' },
        remediation: missingRoleRemedy(context.cmdlet),
      },
    );
  }
  if (status === 408 || status === 504) {
    return new ExoError('TIMEOUT', `${context.what} timed out at ${context.host} (HTTP ${status})${said}`, {
      details,
    });
  }
  if (status === 404) {
    return new ExoError(
      'INVALID_ARGUMENT',
      `The admin API at ${context.host} does not know tenant '${context.tenant}' (HTTP 404)${said}`,
      {
        details: { ...details, field: 'tenant', tenant: context.tenant },
        remediation:
          "Give the tenant as its GUID or its <org>.onmicrosoft.com domain, and check the environment's rest.apiUrl.",
      },
    );
  }
  if (status >= 500) {
    const classified = classifyText(allText(body));
    if (classified.code !== 'CMDLET_ERROR')
      return classifiedError(classified, `${context.what} failed (HTTP ${status})${said}`, details);
    return new ExoError(
      'SESSION_BROKEN',
      `The admin API failed to run ${context.what} (HTTP ${status})${said}`,
      {
        details,
        remediation: `The service failed. Try again later; for a write, first check whether ${context.what} took effect.`,
      },
    );
  }
  const classified = classifyText(allText(body));
  if (classified.code !== 'CMDLET_ERROR')
    return classifiedError(classified, text ?? `HTTP ${status}`, details);
  return new ExoError('INVALID_ARGUMENT', `The admin API refused ${context.what} (HTTP ${status})${said}`, {
    details,
    remediation: 'The request was refused as malformed: check the cmdlet name and its parameters.',
  });
}

/** The cmdlet ran and failed: its own text, classified as the pwsh faces classify the same text. */
function cmdletFailure(
  body: ServiceErrorBody,
  details: Record<string, unknown>,
  context: FailureContext,
): ExoError {
  const detail = body.detail!;
  const classified = classifyText([detail.message, detail.exceptionType ?? ''].join('\n'), {
    step: 'invoke',
    host: context.host,
  });
  return classifiedError(classified, detail.message, details);
}

function classifiedError(
  classified: ReturnType<typeof classifyText>,
  message: string,
  details: Record<string, unknown>,
): ExoError {
  return new ExoError(classified.code, message, {
    details: { ...details, ...classified.details },
    ...(classified.remediation ? { remediation: classified.remediation } : {}),
  });
}

export function mayHaveRunRemedy(what: string): string {
  return (
    `${what} may or may not have run: the request reached the service but no answer came back. Check its ` +
    'effect (a Get- cmdlet) before running it again; exo-connect never sends a write twice.'
  );
}
