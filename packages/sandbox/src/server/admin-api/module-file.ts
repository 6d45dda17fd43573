import type { CallerIdentity } from '../contracts.js';
import type { ResolvedTenant } from './auth.js';
import type { CommandInfo } from './invoke-command.js';
import { jsonOutcome, type Outcome } from './outcome.js';
import { allowedCmdlets } from './roles.js';

/** The file the module asks for; go-exoscc looks for this name in value[]. */
export const MODULE_FILE_NAME = 'ExchangeOnline.psm1';

/**
 * `GET /adminapi/v1.0/<tenant>/EXOModuleFile?Version=…`: the cmdlets this caller's roles allow, as one
 * comma-separated string (CIPP splits it on ","). The `CommandName` header narrows them as
 * Connect-ExchangeOnline -CommandName does (`*` or absent: all; names and `*` wildcards, any case).
 * The sandbox serves no module code, so there is no fileContent.
 */
export function moduleFile(
  baseUrl: string,
  tenant: ResolvedTenant,
  caller: CallerIdentity,
  commands: readonly CommandInfo[],
  commandNameHeader: string | undefined,
): Outcome {
  const patterns = (commandNameHeader ?? '*')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map(wildcard);
  const allowed = allowedCmdlets(
    caller,
    commands.map((command) => command.name),
  ).filter((name) => patterns.some((pattern) => pattern.test(name)));
  return jsonOutcome(200, {
    '@odata.context': `${baseUrl}/adminapi/v1.0/${encodeURIComponent(tenant.segment)}/$metadata#EXOModuleFile`,
    value: [{ fileName: MODULE_FILE_NAME, exportedCmdlets: allowed.join(',') }],
  });
}

function wildcard(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i');
}
