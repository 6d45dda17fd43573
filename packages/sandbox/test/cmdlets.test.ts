import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantStatus } from '../src/index.js';
import { EXCHANGE_CMDLETS } from './support/exchange-cmdlets.js';
import { runPwsh, runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

const DC = 'SBXPR01A001DC01.SBXPR01A001.prod.exo.localhost';
const notFound = (id: string) =>
  `The operation couldn't be performed because object '${id}' couldn't be found on '${DC}'.`;
const exchangeErrorId = (failure: string, cmdlet: string) =>
  new RegExp(
    `^\\[Server=SBXPR01MB0001,RequestId=[0-9a-f-]{36},TimeStamp=[^\\]]+\\] \\[FailureCategory=Cmdlet-${failure}\\] [0-9A-F]{8},${cmdlet}$`,
  );

const DEFAULT_WARNING =
  'By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify "-ResultSize Unlimited". Be aware that, depending upon the actual number of items, returning all items can take a long time and consume a large amount of resources on the server and the client computer.';
const MORE_WARNING =
  'There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.';

interface TestError {
  Message: string;
  Details: string | null;
  FullyQualifiedErrorId: string;
  Category: string;
  Reason: string;
  ExceptionType: string;
}

describe('Exchange cmdlets over the tenant', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    // More than 1000 mailboxes, so the default ResultSize cuts the list.
    tenant = await createTestTenant({ mailboxCount: 1100, seed: 7 });
  });
  afterAll(async () => tenant.dispose());

  const run = <T>(script: string, extra: Record<string, unknown> = {}) =>
    runPwshOk<T>(script, tenant.input(extra), { env: tenant.env });

  it('Get-Mailbox: ResultSize (default 1000 with its warning, n, Unlimited), Identity forms, RecipientTypeDetails, Anr', async () => {
    const r = await run<{
      Default: number;
      DefaultWarnings: string[];
      Five: number;
      FiveWarnings: string[];
      Unlimited: number;
      UnlimitedWarnings: string[];
      Identities: Record<string, string[]>;
      Shared: { Count: number; Types: string[] };
      SharedExpected: number;
      Anr: string[];
      BadResultSize: TestError;
    }>(`
$s = Open-TestSession
# Remote warnings reach the caller through the session's host and Invoke-Command's -WarningVariable (an imported
# command's -WarningVariable is set in its module's scope, as with any implicit remoting module).
$default = @(Invoke-Command -Session $s { Get-Mailbox } -WarningVariable w1)
$five = @(Invoke-Command -Session $s { Get-Mailbox -ResultSize 5 } -WarningVariable w2)
$all = @(Get-Mailbox -ResultSize Unlimited)
$null = Invoke-Command -Session $s { Get-Mailbox -ResultSize Unlimited } -WarningVariable w3
$admin = $all | Where-Object Name -EQ 'Sandbox Admin'
$identities = [ordered]@{}
foreach ($id in @('Sandbox Admin', 'admin', 'admin@sandbox.exo.localhost', 'smtp:admin@sandbox.onmicrosoft.localhost',
        $admin.Guid.ToString(), $admin.ExchangeGuid.ToString(), $admin.ExternalDirectoryObjectId, $admin.DistinguishedName, 'Sandbox Adm*')) {
    $identities[$id] = @(Get-Mailbox -Identity $id | ForEach-Object Name)
}
$shared = @(Get-Mailbox -RecipientTypeDetails SharedMailbox -ResultSize Unlimited)
$badResultSize = $null
try { Get-Mailbox -ResultSize 'lots' -ErrorAction Stop } catch { $badResultSize = ConvertTo-TestError $_ }
Write-Result @{
    Default = $default.Count; DefaultWarnings = @($w1 | ForEach-Object Message)
    Five = $five.Count; FiveWarnings = @($w2 | ForEach-Object Message)
    Unlimited = $all.Count; UnlimitedWarnings = @($w3 | ForEach-Object Message)
    Identities = $identities
    Shared = @{ Count = $shared.Count; Types = @($shared.RecipientTypeDetails | Sort-Object -Unique) }
    SharedExpected = @($all | Where-Object RecipientTypeDetails -EQ 'SharedMailbox').Count
    Anr = @(Get-Mailbox -Anr 'Sandbox' | ForEach-Object Name)
    BadResultSize = $badResultSize
}
Remove-PSSession $s
`);
    const status = await tenantStatus({ directory: tenant.directory });
    expect(status.mailboxCount).toBeGreaterThan(1000);
    expect(r.Default).toBe(1000);
    expect(r.DefaultWarnings).toEqual([DEFAULT_WARNING]);
    expect(r.Five).toBe(5);
    expect(r.FiveWarnings).toEqual([MORE_WARNING]);
    expect(r.Unlimited).toBe(status.mailboxCount);
    expect(r.UnlimitedWarnings).toEqual([]);
    for (const [id, names] of Object.entries(r.Identities)) {
      expect(names, id).toEqual(['Sandbox Admin']);
    }
    expect(r.Shared.Count).toBeGreaterThan(0);
    expect(r.Shared.Count).toBe(r.SharedExpected);
    expect(r.Shared.Types).toEqual(['SharedMailbox']);
    expect(r.Anr).toEqual(['Sandbox Admin']);
    expect(r.BadResultSize.Message).toContain(
      "Cannot process argument transformation on parameter 'ResultSize'",
    );
  });

  it('Get-Mailbox -Filter: the OPATH subset selects what the same condition selects client-side', async () => {
    const r = await run<{
      All: {
        Name: string;
        Office: string;
        Alias: string;
        Type: string;
        Hidden: boolean;
        Addresses: string[];
        Created: string;
      }[];
      Users: { Name: string; Department: string }[];
      Results: Record<string, string[]>;
      Errors: Record<string, TestError>;
    }>(
      `
$s = Open-TestSession
$all = @(Get-Mailbox -ResultSize Unlimited | ForEach-Object {
    @{ Name = $_.Name; Office = $_.Office; Alias = $_.Alias; Type = $_.RecipientTypeDetails; Hidden = $_.HiddenFromAddressListsEnabled
       Addresses = @($_.EmailAddresses); Created = $_.WhenCreatedUTC.ToString('o') } })
$users = @(Get-User -ResultSize Unlimited | ForEach-Object { @{ Name = $_.Name; Department = $_.Department } })
$results = [ordered]@{}
foreach ($f in $In.filters) { $results[$f] = @(Get-Mailbox -ResultSize Unlimited -Filter $f | ForEach-Object Name) }
$errors = [ordered]@{}
foreach ($f in $In.bad) { try { Get-Mailbox -Filter $f -ErrorAction Stop } catch { $errors[$f] = ConvertTo-TestError $_ } }
Write-Result @{ All = $all; Users = $users; Results = $results; Errors = $errors }
Remove-PSSession $s
`,
      {
        filters: [
          "Office -eq 'SEA-1'",
          'Office -eq \u2018SEA-1\u2019',
          'Office -eq SEA-1',
          "Name -like 'A*'",
          "RecipientTypeDetails -ne 'UserMailbox' -and HiddenFromAddressListsEnabled -eq $false",
          "(Office -eq 'LON-1' -or Office -eq 'DUB-1') -and -not (Alias -like '*room*')",
          "EmailAddresses -eq 'SMTP:admin@sandbox.exo.localhost'",
          "EmailAddresses -like 'smtp:admin@*'",
          "WhenCreatedUTC -gt '2024-01-02T20:00:00Z'",
          "Department -eq 'Sales'",
          "{ Alias -like 'ava*' }",
        ],
        bad: ['Name -eq', "Foo -eq 'x'", "Name -eq 'unterminated"],
      },
    );
    const all = r.All;
    const ci = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const like = (value: string, pattern: string) =>
      new RegExp(
        `^${pattern
          .split('*')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        'i',
      ).test(value);
    const sales = new Set(r.Users.filter((u) => ci(u.Department, 'Sales')).map((u) => u.Name));
    const expected: Record<string, (m: (typeof all)[number]) => boolean> = {
      "Office -eq 'SEA-1'": (m) => ci(m.Office, 'SEA-1'),
      'Office -eq \u2018SEA-1\u2019': (m) => ci(m.Office, 'SEA-1'),
      'Office -eq SEA-1': (m) => ci(m.Office, 'SEA-1'),
      "Name -like 'A*'": (m) => like(m.Name, 'A*'),
      "RecipientTypeDetails -ne 'UserMailbox' -and HiddenFromAddressListsEnabled -eq $false": (m) =>
        m.Type !== 'UserMailbox' && !m.Hidden,
      "(Office -eq 'LON-1' -or Office -eq 'DUB-1') -and -not (Alias -like '*room*')": (m) =>
        (ci(m.Office, 'LON-1') || ci(m.Office, 'DUB-1')) && !like(m.Alias, '*room*'),
      "EmailAddresses -eq 'SMTP:admin@sandbox.exo.localhost'": (m) =>
        m.Addresses.some((a) => ci(a, 'SMTP:admin@sandbox.exo.localhost')),
      "EmailAddresses -like 'smtp:admin@*'": (m) => m.Addresses.some((a) => like(a, 'smtp:admin@*')),
      "WhenCreatedUTC -gt '2024-01-02T20:00:00Z'": (m) =>
        new Date(m.Created) > new Date('2024-01-02T20:00:00Z'),
      "Department -eq 'Sales'": (m) => sales.has(m.Name),
      "{ Alias -like 'ava*' }": (m) => like(m.Alias, 'ava*'),
    };
    for (const [filter, predicate] of Object.entries(expected)) {
      const want = all.filter(predicate).map((m) => m.Name);
      expect(want.length, filter).toBeGreaterThan(0);
      expect(want.length, filter).toBeLessThan(all.length);
      expect(r.Results[filter], filter).toEqual(want);
    }
    const bind = (inner: string) =>
      `Cannot bind parameter 'Filter' to the target. Exception setting "Filter": "${inner}"`;
    expect(r.Errors['Name -eq']?.Message).toBe(
      bind(
        'Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n"Name -eq" at position 9.',
      ),
    );
    expect(r.Errors["Foo -eq 'x'"]?.Message).toBe(
      bind(
        "'Foo' is not a recognized filterable property. For a description of the filter parameter syntax see the command help.\n\"Foo -eq 'x'\" at position 1.",
      ),
    );
    expect(r.Errors["Name -eq 'unterminated"]?.Message).toContain('Invalid filter syntax');
    expect(r.Errors['Name -eq']?.Category).toBe('InvalidArgument');
  });

  it('returns the real type names, property names and .NET types', async () => {
    const r = await run<Record<string, { Types: string[]; Properties: Record<string, string> }>>(`
$s = Open-TestSession
function Describe {
    param($Object)
    $properties = [ordered]@{}
    foreach ($p in $Object.PSObject.Properties) {
        if ($p.Name -in 'PSComputerName', 'RunspaceId', 'PSShowComputerName') { continue }
        $properties[$p.Name] = if ($null -eq $p.Value) { 'null' } elseif ($p.Value -is [System.Collections.ICollection]) { 'collection' } else { $p.Value.GetType().FullName }
    }
    @{ Types = @($Object.PSTypeNames); Properties = $properties }
}
Write-Result @{
    Mailbox = Describe (Get-Mailbox -Identity admin)
    User = Describe (Get-User -Identity admin)
    Recipient = Describe (Get-Recipient -Identity admin)
    DistributionGroup = Describe (Get-DistributionGroup -Identity Sales)
    Member = Describe (Get-DistributionGroupMember -Identity Sales -ResultSize 1 -WarningAction SilentlyContinue)
    AcceptedDomain = Describe (Get-AcceptedDomain -Identity sandbox.exo.localhost)
    OrganizationConfig = Describe (Get-OrganizationConfig)
}
Remove-PSSession $s
`);
    const deserialized = (...names: string[]) => [...names.map((n) => `Deserialized.${n}`)];
    expect(r.Mailbox?.Types).toEqual(
      deserialized(
        'Microsoft.Exchange.Data.Directory.Management.Mailbox',
        'Microsoft.Exchange.Data.Directory.Management.MailEnabledOrgPerson',
        'Microsoft.Exchange.Data.Directory.Management.MailEnabledRecipient',
        'Microsoft.Exchange.Data.Directory.ADPresentationObject',
        'Microsoft.Exchange.Data.ConfigurableObject',
        'System.Object',
      ),
    );
    expect(r.User?.Types[0]).toBe('Deserialized.Microsoft.Exchange.Data.Directory.Management.User');
    expect(r.Recipient?.Types[0]).toBe(
      'Deserialized.Microsoft.Exchange.Data.Directory.Management.ReducedRecipient',
    );
    expect(r.Member?.Types[0]).toBe(
      'Deserialized.Microsoft.Exchange.Data.Directory.Management.ReducedRecipient',
    );
    expect(r.DistributionGroup?.Types[0]).toBe(
      'Deserialized.Microsoft.Exchange.Data.Directory.Management.DistributionGroup',
    );
    expect(r.AcceptedDomain?.Types[0]).toBe(
      'Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomain',
    );
    expect(r.OrganizationConfig?.Types[0]).toBe(
      'Deserialized.Microsoft.Exchange.Data.Directory.Management.OrganizationConfig',
    );

    expect(r.Mailbox?.Properties).toMatchObject({
      Name: 'System.String',
      Alias: 'System.String',
      DisplayName: 'System.String',
      UserPrincipalName: 'System.String',
      PrimarySmtpAddress: 'System.String',
      EmailAddresses: 'collection',
      RecipientType: 'System.String',
      RecipientTypeDetails: 'System.String',
      Guid: 'System.Guid',
      ExchangeGuid: 'System.Guid',
      ExternalDirectoryObjectId: 'System.String',
      HiddenFromAddressListsEnabled: 'System.Boolean',
      WhenCreated: 'System.DateTime',
      WhenChangedUTC: 'System.DateTime',
      ProhibitSendQuota: 'System.String',
      CustomAttribute1: 'System.String',
      CustomAttribute15: 'System.String',
      ForwardingSmtpAddress: 'null',
      Database: 'System.String',
      Identity: 'System.String',
      DistinguishedName: 'System.String',
    });
    expect(r.User?.Properties).toMatchObject({
      FirstName: 'System.String',
      Department: 'System.String',
      RemotePowerShellEnabled: 'System.Boolean',
      CountryOrRegion: 'System.String',
      Guid: 'System.Guid',
    });
    expect(r.DistributionGroup?.Properties).toMatchObject({
      GroupType: 'System.String',
      ManagedBy: 'collection',
      MemberJoinRestriction: 'System.String',
      RequireSenderAuthenticationEnabled: 'System.Boolean',
    });
    expect(r.AcceptedDomain?.Properties).toMatchObject({
      DomainName: 'System.String',
      DomainType: 'System.String',
      Default: 'System.Boolean',
      AuthenticationType: 'System.String',
    });
    expect(r.OrganizationConfig?.Properties).toMatchObject({ Name: 'System.String', Guid: 'System.Guid' });
    // Sandbox-only account fields never leave the server.
    for (const view of Object.values(r)) {
      for (const hidden of [
        'PasswordHash',
        'SessionLifetimeSeconds',
        'DropsSession',
        'RequiresMfa',
        'Sequence',
      ]) {
        expect(Object.keys(view.Properties)).not.toContain(hidden);
      }
    }
  });

  it('New-Mailbox, Set-Mailbox and Remove-Mailbox change the tenant; a new user signs in with its password', async () => {
    const r = await run<{
      Created: { Name: string; Type: string; Upn: string; Addresses: string[] };
      Shared: { Type: string; Alias: string };
      Duplicate: TestError;
      AfterSet: Record<string, unknown>;
      Unchanged: string[];
      NewUserSession: string;
      Removed: TestError;
      RemovedFromGroup: boolean;
      BadAlias: TestError;
      SetMissing: TestError;
    }>(
      `
$s = Open-TestSession
$m = New-Mailbox -Name 'Test Person' -MicrosoftOnlineServicesID test.person@sandbox.exo.localhost -Password (ConvertTo-SecureString $In.newPassword -AsPlainText -Force) -FirstName Test -LastName Person
$shared = New-Mailbox -Name 'Team Inbox' -Shared
$duplicate = $null
try { New-Mailbox -Name 'Test Person' -Shared -ErrorAction Stop } catch { $duplicate = ConvertTo-TestError $_ }
Set-Mailbox -Identity test.person -CustomAttribute1 'cost-center-42' -HiddenFromAddressListsEnabled $true -DisplayName 'Test P.' -EmailAddresses @{ Add = 'tp@sandbox.exo.localhost' } -ForwardingSmtpAddress 'boss@sandbox.exo.localhost'
$after = Get-Mailbox -Identity test.person
Invoke-Command -Session $s { Set-Mailbox -Identity test.person -CustomAttribute1 'cost-center-42' } -WarningVariable unchanged
Add-DistributionGroupMember -Identity Sales -Member test.person
$badAlias = $null
try { Set-Mailbox -Identity test.person -Alias 'has space' -ErrorAction Stop } catch { $badAlias = ConvertTo-TestError $_ }
$setMissing = $null
try { Set-Mailbox -Identity nobody.here -DisplayName x -ErrorAction Stop } catch { $setMissing = ConvertTo-TestError $_ }
# The new account signs in with the password it was created with.
$userSession = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential 'test.person@sandbox.exo.localhost' $In.newPassword) -Authentication Basic -ErrorAction Stop
$who = Invoke-Command -Session $userSession { Get-Mailbox -Identity test.person }
Remove-PSSession $userSession
Remove-Mailbox -Identity test.person -Confirm:$false
$removed = $null
try { Get-Mailbox -Identity test.person -ErrorAction Stop } catch { $removed = ConvertTo-TestError $_ }
$stillMember = @(Get-DistributionGroupMember -Identity Sales -ResultSize Unlimited | Where-Object Alias -EQ 'test.person').Count -gt 0
Write-Result @{
    Created = @{ Name = $m.Name; Type = $m.RecipientTypeDetails; Upn = $m.UserPrincipalName; Addresses = @($m.EmailAddresses) }
    Shared = @{ Type = $shared.RecipientTypeDetails; Alias = $shared.Alias }
    Duplicate = $duplicate
    AfterSet = @{ CustomAttribute1 = $after.CustomAttribute1; Hidden = $after.HiddenFromAddressListsEnabled; DisplayName = $after.DisplayName
        Addresses = @($after.EmailAddresses); Forwarding = $after.ForwardingSmtpAddress; Changed = $after.WhenChangedUTC -gt $after.WhenCreatedUTC }
    Unchanged = @($unchanged | ForEach-Object Message)
    NewUserSession = $who.Name
    Removed = $removed; RemovedFromGroup = -not $stillMember
    BadAlias = $badAlias; SetMissing = $setMissing
}
Remove-PSSession $s
`,
      { newPassword: 'N3w-User-Pass!' },
    );
    expect(r.Created).toEqual({
      Name: 'Test Person',
      Type: 'UserMailbox',
      Upn: 'test.person@sandbox.exo.localhost',
      Addresses: ['SMTP:test.person@sandbox.exo.localhost', 'smtp:test.person@sandbox.onmicrosoft.localhost'],
    });
    expect(r.Shared).toEqual({ Type: 'SharedMailbox', Alias: 'TeamInbox' });
    expect(r.Duplicate.Message).toBe(
      'The name "Test Person" is already being used. Please try another name.',
    );
    expect(r.Duplicate.FullyQualifiedErrorId).toMatch(
      exchangeErrorId('ADObjectAlreadyExistsException', 'New-Mailbox'),
    );
    expect(r.AfterSet).toEqual({
      CustomAttribute1: 'cost-center-42',
      Hidden: true,
      DisplayName: 'Test P.',
      Addresses: [
        'SMTP:test.person@sandbox.exo.localhost',
        'smtp:test.person@sandbox.onmicrosoft.localhost',
        'smtp:tp@sandbox.exo.localhost',
      ],
      Forwarding: 'smtp:boss@sandbox.exo.localhost',
      Changed: true,
    });
    expect(r.Unchanged).toEqual([
      "The command completed successfully but no settings of 'test.person' have been modified.",
    ]);
    expect(r.NewUserSession).toBe('Test Person');
    expect(r.Removed.Message).toBe(notFound('test.person'));
    expect(r.RemovedFromGroup).toBe(true);
    expect(r.BadAlias.Message).toContain('Property expression "has space" isn\'t valid.');
    expect(r.BadAlias.Category).toBe('InvalidData');
    expect(r.SetMissing.Message).toBe(notFound('nobody.here'));
  });

  it('Get-User, Set-User and Get-Recipient; enabling remote PowerShell lets norps connect', async () => {
    const r = await run<{
      NorpsBefore: boolean;
      NorpsAfter: boolean;
      NorpsSession: string;
      Recipients: number;
      Mailboxes: number;
      Groups: number;
      GroupRecipients: number;
      Title: string;
      NotFound: TestError;
    }>(`
$s = Open-TestSession
$before = (Get-User -Identity norps@sandbox.exo.localhost).RemotePowerShellEnabled
Set-User -Identity norps@sandbox.exo.localhost -RemotePowerShellEnabled $true -Title 'Now Enabled'
$after = Get-User -Identity norps@sandbox.exo.localhost
$norps = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential 'norps@sandbox.exo.localhost' $In.password) -Authentication Basic -ErrorAction Stop
$who = (Invoke-Command -Session $norps { Get-User -Identity norps }).Name
Remove-PSSession $norps
Set-User -Identity norps@sandbox.exo.localhost -RemotePowerShellEnabled $false
$notFound = $null
try { Get-Recipient -Identity nobody -ErrorAction Stop } catch { $notFound = ConvertTo-TestError $_ }
Write-Result @{
    NorpsBefore = $before; NorpsAfter = $after.RemotePowerShellEnabled; NorpsSession = $who; Title = $after.Title
    Recipients = @(Get-Recipient -ResultSize Unlimited).Count; Mailboxes = @(Get-Mailbox -ResultSize Unlimited).Count
    Groups = @(Get-DistributionGroup -ResultSize Unlimited).Count
    GroupRecipients = @(Get-Recipient -RecipientTypeDetails MailUniversalDistributionGroup -ResultSize Unlimited).Count
    NotFound = $notFound
}
Remove-PSSession $s
`);
    expect(r.NorpsBefore).toBe(false);
    expect(r.NorpsAfter).toBe(true);
    expect(r.Title).toBe('Now Enabled');
    expect(r.NorpsSession).toBe('No Remote PowerShell');
    expect(r.Groups).toBeGreaterThan(0);
    expect(r.GroupRecipients).toBe(r.Groups);
    expect(r.Recipients).toBe(r.Mailboxes + r.Groups);
    expect(r.NotFound.Message).toBe(notFound('nobody'));
    expect(r.NotFound.Category).toBe('ObjectNotFound');
  });

  it('distribution groups: Get-DistributionGroup and Get-/Add-/Remove-DistributionGroupMember', async () => {
    const r = await run<{
      Groups: { Name: string; ManagedBy: string[]; Type: string }[];
      Members: number;
      SalesUsers: number;
      MemberDefaultWarnings: string[];
      Added: boolean;
      AlreadyMember: TestError;
      Removed: boolean;
      NotMember: TestError;
      NoGroup: TestError;
    }>(`
$s = Open-TestSession
$groups = @(Get-DistributionGroup | ForEach-Object { @{ Name = $_.Name; ManagedBy = @($_.ManagedBy); Type = $_.RecipientTypeDetails } })
$members = @(Get-DistributionGroupMember -Identity Sales -ResultSize Unlimited)
$salesUsers = @(Get-User -Filter "Department -eq 'Sales' -and RecipientTypeDetails -eq 'UserMailbox'" -ResultSize Unlimited).Count
$null = Invoke-Command -Session $s { Get-DistributionGroupMember -Identity Sales } -WarningVariable w
Add-DistributionGroupMember -Identity Sales -Member admin
$added = @(Get-DistributionGroupMember -Identity Sales -ResultSize Unlimited | Where-Object Alias -EQ 'admin').Count -eq 1
$already = $null
try { Add-DistributionGroupMember -Identity Sales -Member admin -ErrorAction Stop } catch { $already = ConvertTo-TestError $_ }
Remove-DistributionGroupMember -Identity Sales -Member admin -Confirm:$false
$removed = @(Get-DistributionGroupMember -Identity Sales -ResultSize Unlimited | Where-Object Alias -EQ 'admin').Count -eq 0
$notMember = $null
try { Remove-DistributionGroupMember -Identity Sales -Member admin -Confirm:$false -ErrorAction Stop } catch { $notMember = ConvertTo-TestError $_ }
$noGroup = $null
try { Get-DistributionGroupMember -Identity 'No Such Group' -ErrorAction Stop } catch { $noGroup = ConvertTo-TestError $_ }
Write-Result @{
    Groups = $groups; Members = $members.Count; SalesUsers = $salesUsers; MemberDefaultWarnings = @($w | ForEach-Object Message)
    Added = $added; AlreadyMember = $already; Removed = $removed; NotMember = $notMember; NoGroup = $noGroup
}
Remove-PSSession $s
`);
    expect(r.Groups.map((g) => g.Name)).toContain('Sales');
    for (const g of r.Groups) {
      expect(g.ManagedBy).toEqual(['Sandbox Admin']);
      expect(g.Type).toBe('MailUniversalDistributionGroup');
    }
    expect(r.Members).toBe(r.SalesUsers);
    expect(r.MemberDefaultWarnings).toEqual(r.Members > 1000 ? [DEFAULT_WARNING] : []);
    expect(r.Added).toBe(true);
    expect(r.AlreadyMember.Message).toBe('The recipient "admin" is already a member of the group "Sales".');
    expect(r.AlreadyMember.FullyQualifiedErrorId).toMatch(
      exchangeErrorId('MemberAlreadyExistsException', 'Add-DistributionGroupMember'),
    );
    expect(r.Removed).toBe(true);
    expect(r.NotMember.Message).toBe('The recipient "admin" isn\'t a member of the group "Sales".');
    expect(r.NoGroup.Message).toBe(notFound('No Such Group'));
  });

  it('Get-AcceptedDomain and Get-OrganizationConfig', async () => {
    const r = await run<{
      Domains: {
        Name: string;
        DomainName: string;
        Default: boolean;
        AuthenticationType: string;
        DomainType: string;
      }[];
      Org: { Name: string; DisplayName: string };
      Missing: TestError;
    }>(`
$s = Open-TestSession
$missing = $null
try { Get-AcceptedDomain -Identity contoso.com -ErrorAction Stop } catch { $missing = ConvertTo-TestError $_ }
$org = Get-OrganizationConfig
Write-Result @{
    Domains = @(Get-AcceptedDomain | ForEach-Object { @{ Name = $_.Name; DomainName = $_.DomainName; Default = $_.Default; AuthenticationType = $_.AuthenticationType; DomainType = $_.DomainType } })
    Org = @{ Name = $org.Name; DisplayName = $org.DisplayName }
    Missing = $missing
}
Remove-PSSession $s
`);
    expect(r.Domains).toEqual([
      {
        Name: 'sandbox.exo.localhost',
        DomainName: 'sandbox.exo.localhost',
        Default: true,
        AuthenticationType: 'Managed',
        DomainType: 'Authoritative',
      },
      {
        Name: 'sandbox.onmicrosoft.localhost',
        DomainName: 'sandbox.onmicrosoft.localhost',
        Default: false,
        AuthenticationType: 'Managed',
        DomainType: 'Authoritative',
      },
      {
        Name: 'federated.sandbox.exo.localhost',
        DomainName: 'federated.sandbox.exo.localhost',
        Default: false,
        AuthenticationType: 'Federated',
        DomainType: 'Authoritative',
      },
    ]);
    expect(r.Org).toEqual({ Name: 'sandbox.onmicrosoft.localhost', DisplayName: 'exo-connect sandbox' });
    expect(r.Missing.Message).toBe(notFound('contoso.com'));
  });

  it('runs only the Exchange cmdlets: the session is NoLanguage and RestrictedRemoteServer', async () => {
    const r = await runPwsh(
      `
$s = Open-TestSession
$script = $null; $hidden = $null
try { Invoke-Command -Session $s { 1 + 1 } -ErrorAction Stop } catch { $script = $_.Exception.Message }
try { Invoke-Command -Session $s { Get-ChildItem / } -ErrorAction Stop } catch { $hidden = $_.Exception.Message }
$visible = @(Invoke-Command -Session $s { Get-Command } | ForEach-Object Name | Sort-Object)
Write-Result @{ Script = $script; Hidden = $hidden; Visible = $visible }
Remove-PSSession $s
`,
      tenant.input(),
      { env: tenant.env },
    );
    const result = r.result as { Script: string; Hidden: string; Visible: string[] };
    expect(result.Script).toContain('no-language mode');
    expect(result.Hidden).toContain("The term 'Get-ChildItem' is not recognized");
    // Exchange cmdlets plus the commands Import-PSSession itself uses, which RestrictedRemoteServer provides.
    expect(
      result.Visible.filter(
        (n) =>
          ![
            'Exit-PSSession',
            'Get-Command',
            'Get-FormatData',
            'Get-Help',
            'Measure-Object',
            'Out-Default',
            'Select-Object',
          ].includes(n),
      ),
    ).toEqual(EXCHANGE_CMDLETS);
  });
});
