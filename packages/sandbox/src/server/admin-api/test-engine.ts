/**
 * TEST-ONLY. An in-memory Engine for the admin API's own tests (paging, warnings, errors), so that they need
 * no pwsh: the real engine (warm pwsh workers running the sandbox cmdlets) is another part of issue #15.
 * Its data and texts imitate the sandbox's only as far as these tests need. Not exported, not built.
 */
import { randomUUID } from 'node:crypto';
import type { Engine, EngineError, EngineRequest, EngineResult } from '../contracts.js';

export interface TestEngineOptions {
  /** Mailboxes the tenant holds (mbx0001, mbx0002, …). Default 25. */
  mailboxes?: number;
  /** Characters of filler each mailbox carries, to make big pages. Default 0. */
  padding?: number;
}

export interface TestEngine extends Engine {
  /** Every request the engine got, in order. */
  readonly requests: EngineRequest[];
  /** Cursors still open. */
  readonly openCursors: number;
}

const COMMANDS = [
  { name: 'Get-Mailbox', parameters: ['Identity', 'Anr', 'Filter', 'RecipientTypeDetails', 'ResultSize'] },
  { name: 'Get-User', parameters: ['Identity', 'Anr', 'Filter', 'RecipientTypeDetails', 'ResultSize'] },
  {
    name: 'Set-Mailbox',
    parameters: ['Identity', 'DisplayName', 'EmailAddresses', 'CustomAttribute1', 'CustomAttribute2'],
  },
  { name: 'Remove-Mailbox', parameters: ['Identity', 'Permanent'] },
  // Test-only: its invoke rejects, as a crashed worker would.
  { name: 'Test-EngineCrash', parameters: [] },
];

const RESULT_SIZE_WARNING =
  'By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify "-ResultSize Unlimited". Be aware that, depending upon the actual number of items, returning all items can take a long time and consume a large amount of resources on the server and the client computer.';

export function createTestEngine(options: TestEngineOptions = {}): TestEngine {
  const count = options.mailboxes ?? 25;
  const padding = 'x'.repeat(options.padding ?? 0);
  const mailboxes = Array.from({ length: count }, (_, i) => {
    const alias = `mbx${String(i + 1).padStart(4, '0')}`;
    return {
      Name: alias,
      Alias: alias,
      DisplayName: `Mailbox ${i + 1}`,
      PrimarySmtpAddress: `${alias}@sandbox.exo.localhost`,
      'EmailAddresses@odata.type': '#Collection(String)',
      EmailAddresses: [`SMTP:${alias}@sandbox.exo.localhost`],
      RecipientTypeDetails: 'UserMailbox',
      CustomAttribute1: '',
      ...(padding ? { Padding: padding } : {}),
    };
  });
  const cursors = new Map<string, { items: Record<string, unknown>[]; offset: number; warnings: string[] }>();
  const requests: EngineRequest[] = [];

  const page = (items: Record<string, unknown>[], offset: number, size: number, warnings: string[]) => {
    const objects = items.slice(offset, offset + size);
    const next = offset + size;
    if (next >= items.length) return { ok: true as const, objects, warnings };
    const cursor = randomUUID();
    cursors.set(cursor, { items, offset: next, warnings });
    return { ok: true as const, objects, warnings: [], nextCursor: cursor };
  };

  const find = (identity: unknown) =>
    mailboxes.find((mailbox) =>
      [mailbox.Name, mailbox.PrimarySmtpAddress].some(
        (v) => v.toLowerCase() === String(identity).toLowerCase(),
      ),
    );

  async function invoke(request: EngineRequest): Promise<EngineResult> {
    requests.push(structuredClone(request));
    if (request.cursor !== undefined) {
      const open = cursors.get(request.cursor);
      // Reusable, so a client that lost a page to a dropped connection can fetch it again.
      if (!open) return { ok: false, error: invalidCursor(), warnings: [] };
      return page(open.items, open.offset, request.pageSize, open.warnings);
    }
    const { Identity: identity, ResultSize: resultSize } = request.parameters;
    switch (request.cmdlet) {
      case 'Get-Mailbox':
      case 'Get-User': {
        if (identity !== undefined) {
          const found = find(identity);
          if (!found) return { ok: false, error: notFound(String(identity)), warnings: [] };
          return { ok: true, objects: [found], warnings: [] };
        }
        const limit = resultSize === 'Unlimited' ? mailboxes.length : Number(resultSize ?? 1000);
        const items = mailboxes.slice(0, limit);
        const warnings = mailboxes.length > limit && resultSize === undefined ? [RESULT_SIZE_WARNING] : [];
        return page(items, 0, request.pageSize, warnings);
      }
      case 'Set-Mailbox': {
        const found = find(identity);
        if (!found) return { ok: false, error: notFound(String(identity)), warnings: [] };
        return {
          ok: true,
          objects: [],
          warnings: [
            `The command completed successfully but no settings of '${found.Name}' have been modified.`,
          ],
        };
      }
      case 'Remove-Mailbox':
        return { ok: true, objects: [], warnings: [] };
      case 'Test-EngineCrash':
        throw new Error('the worker process exited');
      default:
        throw new Error(`the test engine has no ${request.cmdlet}`);
    }
  }

  return {
    invoke,
    // The admin API never signs anyone in; the identity platform does (through the real engine).
    authenticate: async () => ({ ok: false, reason: 'unknown-user' }),
    commands: async () => structuredClone(COMMANDS),
    close: async () => cursors.clear(),
    requests,
    get openCursors() {
      return cursors.size;
    },
  };
}

function notFound(identity: string): EngineError {
  return {
    type: 'ManagementObjectNotFoundException',
    typeName: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    message: `The operation couldn't be performed because object '${identity}' couldn't be found on 'SBXPR01A001DC01.SBXPR01A001.prod.exo.localhost'.`,
    category: 'ObjectNotFound',
    httpStatus: 404,
  };
}

function invalidCursor(): EngineError {
  return {
    type: 'ArgumentException',
    typeName: 'System.ArgumentException',
    message: 'The cursor is not valid.',
    category: 'InvalidArgument',
    httpStatus: 400,
  };
}
