import { ExoError } from '../../errors/exo-error.js';
import { mayHaveRunRemedy } from './service-error.js';

/** What a thrown transport error means for the request. */
export type TransportFailure =
  /** No connection was made: nothing was sent. */
  | { kind: 'unreachable'; error: ExoError }
  /** The connection broke before any byte of a response: the service may have seen the request. */
  | { kind: 'lost'; cause: unknown }
  /** The request was sent and no response came within the headers timeout. */
  | { kind: 'timeout'; cause: unknown };

const NAME_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const LOST_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** OpenSSL's verification codes as Node names them, and Node's own TLS errors. */
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH/;

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let at = error, depth = 0; at && depth < 5; depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    at = (at as { cause?: unknown }).cause;
  }
  return codes;
}

/** Does the error's cause chain hold a certificate verification failure (OpenSSL's, or Node's TLS)? */
export function isCertificateError(error: unknown): boolean {
  return codesOf(error).some((c) => TLS_ERROR.test(c));
}

/** Classifies an error thrown by undici before a response arrived (abort is the caller's to check first). */
export function transportFailure(error: unknown, host: string): TransportFailure {
  const codes = codesOf(error);
  const reason = error instanceof Error ? error.message : String(error);
  const code = codes.find((c) => NAME_ERRORS.has(c) || CONNECT_ERRORS.has(c) || TLS_ERROR.test(c));
  if (code && NAME_ERRORS.has(code)) {
    return unreachable(`The name ${host} cannot be resolved (${code}).`, host, error, {
      remediation: `Check the host name in the environment's rest.apiUrl and your DNS (\`exo doctor\` checks it).`,
    });
  }
  if (code && TLS_ERROR.test(code)) {
    return unreachable(`The certificate of ${host} is not trusted (${code}): ${reason}`, host, error, {
      remediation:
        `Trust the CA that issued ${host}'s certificate: the environment's rest.caPath for a private endpoint ` +
        '(the sandbox), or the CA of a TLS-inspecting proxy. exo-connect never turns certificate checks off by itself.',
    });
  }
  if (code) return unreachable(`${host} could not be reached (${code}): ${reason}`, host, error);
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT')) return { kind: 'timeout', cause: error };
  if (codes.some((c) => LOST_ERRORS.has(c))) return { kind: 'lost', cause: error };
  // Unknown failures of a request in flight are treated as the connection lost: never resent as a write.
  return { kind: 'lost', cause: error };
}

function unreachable(
  message: string,
  host: string,
  cause: unknown,
  options: { remediation?: string } = {},
): TransportFailure {
  return {
    kind: 'unreachable',
    error: new ExoError('NETWORK_UNREACHABLE', message, {
      details: { host },
      cause,
      ...(options.remediation ? { remediation: options.remediation } : {}),
    }),
  };
}

/**
 * The connection broke, or no answer came, after the request was sent (and, for a write, it was not sent
 * again). `answered` when a response had begun: it ran, but its reply was cut.
 */
export function brokenError(
  what: string,
  host: string,
  options: { write: boolean; answered?: number; cause?: unknown; timeout?: boolean },
): ExoError {
  const lost = options.timeout ? `got no answer from ${host} in time` : `lost its connection to ${host}`;
  if (options.answered !== undefined) {
    return new ExoError(
      'SESSION_BROKEN',
      `The connection to ${host} was lost while the reply to ${what} was read (HTTP ${options.answered}).`,
      {
        details: { host, httpStatus: options.answered, partial: true, connectionLost: true },
        cause: options.cause,
        retryable: !options.write,
        remediation: options.write
          ? `${what} ran, but its reply was cut: check its effect before running it again.`
          : `The reply was cut: run ${what} again (the objects already yielded are not repeated within one call).`,
      },
    );
  }
  if (options.write) {
    return new ExoError('SESSION_BROKEN', `${what} ${lost}.`, {
      details: { host, connectionLost: true },
      cause: options.cause,
      retryable: false,
      remediation: mayHaveRunRemedy(what),
    });
  }
  return new ExoError(options.timeout ? 'TIMEOUT' : 'SESSION_BROKEN', `${what} ${lost}.`, {
    details: { host, connectionLost: true },
    cause: options.cause,
  });
}
