import type { CallerIdentity, Engine, EngineResult } from '../../src/server/contracts.js';
import { runPwshOk } from './pwsh.js';
import type { TestTenant } from './tenant.js';

export const ADMIN: CallerIdentity = {
  tenantId: '00000000-0000-0000-0000-000000000001',
  userPrincipalName: 'admin@sandbox.exo.localhost',
  scopes: ['Exchange.Manage'],
  roles: [],
};

export const DEFAULT_WARNING =
  'By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify "-ResultSize Unlimited". Be aware that, depending upon the actual number of items, returning all items can take a long time and consume a large amount of resources on the server and the client computer.';
export const MORE_WARNING =
  'There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.';

export interface Call {
  cmdlet: string;
  parameters: Record<string, unknown>;
}

/** One call through the engine as the admin API makes it. */
export function invoke(
  engine: Engine,
  cmdlet: string,
  parameters: Record<string, unknown> = {},
  extra: { pageSize?: number; cursor?: string; caller?: CallerIdentity } = {},
): Promise<EngineResult> {
  return engine.invoke({ cmdlet, parameters, caller: ADMIN, pageSize: 1000, ...extra });
}

/** A result's objects; fails the test with the error when it is not ok. */
export function objectsOf(result: EngineResult): Record<string, unknown>[] {
  if (!result.ok) throw new Error(`expected objects, got ${JSON.stringify(result.error)}`);
  return result.objects;
}

/** Every page of a result, following its cursors. */
export async function allPages(
  engine: Engine,
  call: Call,
  pageSize: number,
): Promise<{ pages: EngineResult[]; objects: Record<string, unknown>[] }> {
  const pages: EngineResult[] = [await invoke(engine, call.cmdlet, call.parameters, { pageSize })];
  for (let last = pages[0]; last?.ok && last.nextCursor; last = pages[pages.length - 1]) {
    pages.push(await invoke(engine, call.cmdlet, call.parameters, { pageSize, cursor: last.nextCursor }));
  }
  return { pages, objects: pages.flatMap(objectsOf) };
}

// Values as both faces can be compared: dates as UTC instants (milliseconds), Guids as text, lists as arrays.
const CANONICAL = `
function ConvertTo-Canonical {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ') }
    if ($Value -is [string] -or $Value -is [bool] -or $Value -is [int] -or $Value -is [long]) { return $Value }
    if ($Value -is [guid]) { return $Value.ToString() }
    if ($Value -is [System.Collections.IEnumerable]) { return , @($Value | ForEach-Object { ConvertTo-Canonical $_ }) }
    [string]$Value
}
function ConvertTo-CanonicalObject {
    param($Object)
    $h = [ordered]@{}
    foreach ($p in $Object.PSObject.Properties) {
        if ($p.Name -in 'PSComputerName', 'RunspaceId', 'PSShowComputerName') { continue }
        $h[$p.Name] = ConvertTo-Canonical $p.Value
    }
    $h
}
`;

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** A pool object in the same canonical form (dates are ISO 8601 strings in the engine's JSON). */
export function canonical(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [
      k,
      typeof v === 'string' && ISO_DATE.test(v) ? new Date(v).toISOString() : v,
    ]),
  );
}

export interface SessionOutcome {
  objects: Record<string, unknown>[];
  names: string[][];
  error: { Message: string; Category: string; Reason: string } | null;
}

/**
 * The same calls through a real PSSession (imported commands, parameters splatted from JSON data): each call's
 * objects in canonical form with their property names in order, or its first error.
 */
export async function throughSession(tenant: TestTenant, calls: Call[]): Promise<SessionOutcome[]> {
  const result = await runPwshOk<Record<string, SessionOutcome>>(
    `${CANONICAL}
$s = Open-TestSession
$out = [ordered]@{}
for ($i = 0; $i -lt $In.calls.Count; $i++) {
    $call = $In.calls[$i]
    $p = $call.parameters
    try {
        $objects = @(& $call.cmdlet @p -ErrorAction Stop -WarningAction SilentlyContinue)
        $out["$i"] = @{ objects = @($objects | ForEach-Object { ConvertTo-CanonicalObject $_ }); names = @($objects | ForEach-Object { , @($_.PSObject.Properties.Name | Where-Object { $_ -notin 'PSComputerName', 'RunspaceId', 'PSShowComputerName' }) }); error = $null }
    } catch {
        $out["$i"] = @{ objects = @(); names = @(); error = @{ Message = $_.Exception.Message; Category = [string]$_.CategoryInfo.Category; Reason = $_.CategoryInfo.Reason } }
    }
}
Write-Result $out
Remove-PSSession $s
`,
    tenant.input({ calls }),
    { env: tenant.env },
  );
  return calls.map((_, i) => result[String(i)] as SessionOutcome);
}
