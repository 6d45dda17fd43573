import { describe, expect, it } from 'vitest';
import { findSummary } from './builtin.js';

describe('built-in environments', () => {
  it.each([
    ['worldwide', 'https://outlook.office365.com/powershell-liveid/', 'O365Default'],
    ['GCC', 'https://outlook.office365.com/powershell-liveid/', 'O365Default'],
    ['gcc-high', 'https://outlook.office365.us/powershell-liveid', 'O365USGovGCCHigh'],
    ['dod', 'https://webmail.apps.mil/powershell-liveid', 'O365USGovDoD'],
    [' 21Vianet ', 'https://partner.outlook.cn/PowerShell', 'O365China'],
  ])('%s → %s (%s)', (name, uri, envName) => {
    expect(findSummary(name)).toMatchObject({ rpsConnectionUri: uri, exchangeEnvironmentName: envName });
  });

  it('finds nothing for an unknown name', () => {
    expect(findSummary('mars')).toBeUndefined();
  });
});
