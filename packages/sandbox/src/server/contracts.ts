/**
 * The seams of the sandbox's REST face (issue #15). startSandboxServer() composes three parts that meet here:
 * the identity platform (identity/), the admin API (admin-api/) and the engine pool (engine/), which runs the
 * PSSession face's own cmdlet functions in warm pwsh workers so that both faces give the same data and texts.
 */

/** Who a request runs as, from a verified token. */
export interface CallerIdentity {
  tenantId: string;
  /** Delegated tokens: the signed-in user. */
  userPrincipalName?: string;
  /** App-only tokens: the application (client) id. */
  appId?: string;
  /** Delegated `scp` (space-separated in the token) or app `roles`. */
  scopes: string[];
  roles: string[];
}

/** One cmdlet call, as the admin API hands it to the engine. */
export interface EngineRequest {
  cmdlet: string;
  /** CmdletInput.Parameters, already JSON-parsed; hashtables keep their '@odata.type' key out. */
  parameters: Record<string, unknown>;
  caller: CallerIdentity;
  /** Objects per page (Prefer: odata.maxpagesize, 1..1000; default 1000). */
  pageSize: number;
  /** The opaque cursor of a previous page's nextCursor: continue that result instead of running again. */
  cursor?: string;
}

/** An Exchange task error, with the texts the PSSession face gives for the same call. */
export interface EngineError {
  /** e.g. 'ManagementObjectNotFoundException' (short type name). */
  type: string;
  /** The full exception type name, e.g. 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException'. */
  typeName: string;
  message: string;
  /** The error record's category, e.g. 'NotSpecified', 'InvalidArgument', 'ObjectNotFound'. */
  category: string;
  /** What HTTP status the service answers with: 400 bad parameters, 404 not found, 403 denied, 500 otherwise. */
  httpStatus: number;
}

export type EngineResult =
  | {
      ok: true;
      /** Plain JSON objects with the cmdlet's PascalCase properties. */
      objects: Record<string, unknown>[];
      warnings: string[];
      /** Set when more objects follow; pass back as EngineRequest.cursor. */
      nextCursor?: string;
    }
  | { ok: false; error: EngineError; warnings: string[] };

export interface Engine {
  invoke(request: EngineRequest): Promise<EngineResult>;
  /** The cmdlets the sandbox has, with their parameter names (for EXOModuleFile and unknown-parameter errors). */
  commands(): Promise<{ name: string; parameters: string[] }[]>;
  /** Checks a password as the PSSession face's sign-in does: the identity platform's password grant. */
  authenticate(
    upn: string,
    password: string,
  ): Promise<
    | { ok: true; upn: string }
    | { ok: false; reason: 'bad-password' | 'unknown-user' | 'mfa-required' | 'federated' }
  >;
  close(): Promise<void>;
}
