/**
 * Reading the admin API's error replies (REFERENCE.md §8): the OData error body, the cmdlet's own text in
 * `details[].message` (as `<code>|<exception type>|<message>` or as a JSON string), innererror, and the
 * plain-text replies some front ends give.
 */

/** The cmdlet's error, as the service relays it. */
export interface CmdletDetail {
  /** The service's `Ex…` code, or the JSON form's ErrorCode. */
  code?: string;
  /** e.g. Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException. */
  exceptionType?: string;
  message: string;
}

export interface ServiceErrorBody {
  /** `error.code`, e.g. NotFound. */
  code?: string;
  /** `error.message`, or the whole text of a plain-text or unreadable body. */
  message?: string;
  detail?: CmdletDetail;
  /** innererror.internalException.message, else innererror.message. */
  inner?: string;
  /** The body was not an OData error object. */
  plainText: boolean;
}

/** Texts of the service's throttling: the plain-text concurrency reply, and the classifier's fragments. */
const THROTTLING_TEXT =
  /maximum number of concurrent requests|too many (?:concurrent )?requests|Micro delay applied|\bthrottl|server is busy/i;

export function isThrottlingText(text: string | undefined): boolean {
  return text !== undefined && THROTTLING_TEXT.test(text);
}

export function parseErrorBody(text: string): ServiceErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return { plainText: false };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { message: trimmed, plainText: true };
  }
  const error = member(json, 'error') ?? member(json, 'odata.error');
  if (!isObject(error)) {
    return typeof json === 'string'
      ? { message: json, plainText: true }
      : { message: trimmed, plainText: true };
  }
  const body: ServiceErrorBody = { plainText: false };
  const code = stringOf(member(error, 'code'));
  if (code) body.code = code;
  const message = messageOf(member(error, 'message'));
  if (message) body.message = message;
  const details = member(error, 'details');
  if (Array.isArray(details)) {
    for (const entry of details) {
      const raw = messageOf(member(entry, 'message'));
      if (raw) {
        body.detail = parseDetailMessage(raw);
        break;
      }
    }
  }
  const innererror = member(error, 'innererror');
  const inner =
    messageOf(member(member(innererror, 'internalException'), 'message')) ??
    messageOf(member(innererror, 'message'));
  if (inner) body.inner = inner;
  return body;
}

/** `<code>|<exception type>|<message>` (the message may hold `|` itself), or `{"Message","TypeName",…}`. */
export function parseDetailMessage(raw: string): CmdletDetail {
  const text = raw.trim();
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as unknown;
      const message = messageOf(member(json, 'Message'));
      if (message) {
        const detail: CmdletDetail = { message };
        const type =
          stringOf(member(json, 'TypeName')) ??
          stringOf(member(json, 'ExceptionType')) ??
          stringOf(member(json, 'Type'));
        if (type) detail.exceptionType = type;
        const code = stringOf(member(json, 'ErrorCode')) ?? stringOf(member(json, 'Code'));
        if (code) detail.code = code;
        return detail;
      }
    } catch {
      // Not JSON after all: read it as text below.
    }
  }
  const parts = text.split('|');
  if (parts.length >= 3 && /^[\w.+`]+$/.test(parts[1]!.trim()) && /^\w*$/.test(parts[0]!.trim())) {
    const detail: CmdletDetail = {
      exceptionType: parts[1]!.trim(),
      message: parts.slice(2).join('|').trim(),
    };
    if (parts[0]!.trim() !== '') detail.code = parts[0]!.trim();
    return detail;
  }
  return { message: text };
}

/** The best text to show for a failure: the cmdlet's, else the inner one, else the service's. */
export function bestText(body: ServiceErrorBody): string | undefined {
  return body.detail?.message ?? body.inner ?? body.message;
}

/** Every text of the body, for pattern matching. */
export function allText(body: ServiceErrorBody): string {
  return [body.detail?.message, body.detail?.exceptionType, body.inner, body.message, body.code]
    .filter((part): part is string => part !== undefined)
    .join('\n');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member by name in any case (clients and front ends differ in casing). */
function member(value: unknown, name: string): unknown {
  if (!isObject(value)) return undefined;
  if (name in value) return value[name];
  const key = Object.keys(value).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : value[key];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A message as a string, or OData v3's `{ lang, value }`. */
function messageOf(value: unknown): string | undefined {
  return stringOf(value) ?? stringOf(member(value, 'value'));
}
