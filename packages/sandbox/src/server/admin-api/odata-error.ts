import type { EngineError } from '../contracts.js';

/**
 * The service's error bodies. Shape and constants from a real InvokeCommand failure (Microsoft365DSC issue
 * #2998): `{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Context",
 * "target":"","message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|…"}],
 * "innererror":{"message":"Error executing cmdlet","type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException",…}}}`.
 * innererror.internalException.message carries the plain text too, where CIPP looks for it.
 */
export interface ODataErrorBody {
  error: {
    code: string;
    message: string;
    details?: { code: string; message: string; target: string }[];
    innererror: { message: string; type: string; internalException: { message: string } };
  };
}

export const SERVICE_EXCEPTION_TYPE = 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException';
export const CMDLET_ERROR_MESSAGE = 'Error executing cmdlet';

// .NET's HttpStatusCode names, which the service puts in error.code ("NotFound", "Unauthorized").
const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? String(status);
}

// Codes seen from the real service for these exceptions; every other type gets a stable code of the same form.
const KNOWN_CODES: Readonly<Record<string, string>> = {
  'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException': 'Ex6F9304',
  'Microsoft.Exchange.Management.Tasks.WLCDManagedMemberExistsException': 'ExB10BE9',
};

/** The `Ex` + 6 hex digits that prefixes the service's detail messages. */
export function exceptionCode(typeName: string): string {
  const known = KNOWN_CODES[typeName];
  if (known) return known;
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < typeName.length; i++) {
    hash ^= typeName.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `Ex${((hash >>> 0) & 0xffffff).toString(16).toUpperCase().padStart(6, '0')}`;
}

/** An error of the service itself (authentication, headers, body, throttling): no cmdlet detail. */
export function serviceError(status: number, message: string): ODataErrorBody {
  return {
    error: {
      code: statusName(status),
      message,
      innererror: { message, type: SERVICE_EXCEPTION_TYPE, internalException: { message } },
    },
  };
}

/** A cmdlet's error, as InvokeCommand reports it. */
export function cmdletError(error: EngineError): ODataErrorBody {
  return {
    error: {
      code: statusName(httpStatusOf(error)),
      message: CMDLET_ERROR_MESSAGE,
      details: [
        {
          code: 'Context',
          message: `${exceptionCode(error.typeName)}|${error.typeName}|${error.message}`,
          target: '',
        },
      ],
      innererror: {
        message: CMDLET_ERROR_MESSAGE,
        type: SERVICE_EXCEPTION_TYPE,
        internalException: { message: error.message },
      },
    },
  };
}

/** The engine's status when it is an error status, else 500. */
export function httpStatusOf(error: EngineError): number {
  const status = error.httpStatus;
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

// PowerShell's own binder texts (pwsh 7.6), which the PSSession face gives for the same mistakes.
const CommandNotFound = 'System.Management.Automation.CommandNotFoundException';
const ParameterBinding = 'System.Management.Automation.ParameterBindingException';

export function commandNotFound(name: string): EngineError {
  return {
    type: 'CommandNotFoundException',
    typeName: CommandNotFound,
    category: 'ObjectNotFound',
    httpStatus: 400,
    message:
      `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.\n` +
      'Check the spelling of the name, or if a path was included, verify that the path is correct and try again.',
  };
}

function bindingError(message: string): EngineError {
  return {
    type: 'ParameterBindingException',
    typeName: ParameterBinding,
    category: 'InvalidArgument',
    httpStatus: 400,
    message,
  };
}

export function parameterNotFound(name: string): EngineError {
  return bindingError(`A parameter cannot be found that matches parameter name '${name}'.`);
}

export function parameterAmbiguous(name: string, matches: readonly string[]): EngineError {
  return bindingError(
    `Parameter cannot be processed because the parameter name '${name}' is ambiguous. Possible matches include: ${matches.map((m) => `-${m}`).join(' ')}.`,
  );
}

export function parameterAlreadyBound(name: string): EngineError {
  return bindingError(
    `Cannot bind parameter because parameter '${name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`,
  );
}
