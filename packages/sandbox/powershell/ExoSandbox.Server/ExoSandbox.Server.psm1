# The Exchange cmdlets of the sandbox's Microsoft.Exchange endpoint. This module runs inside the session's server
# process (pwsh -s -ConfigurationFile ExoSandbox.Server.pssc), which its client starts with the tenant directory,
# the signed-in user and the session's expiry in its environment. The .pssc exposes only the functions exported
# here; the session itself runs in NoLanguage mode. The REST face's engine workers (ExoSandbox.Rest/worker.ps1)
# import it too, after configuring their session in-process ([ServerSession]::Configured).

Add-Type -Path ([Environment]::GetEnvironmentVariable('EXO_SANDBOX_ASSEMBLY')) -ErrorAction Stop
# A real session runs out of reach of the user's terminal: its Ctrl+C must not end this local server.
[ExoConnect.Sandbox.ServerWatchdog]::IgnoreTerminalInterrupt()
$script:Session = [ExoConnect.Sandbox.ServerSession]::Current()
$script:Engine = [ExoConnect.Sandbox.ExchangeEngine]::new($script:Session.TenantDirectory)
$script:CommonParameters = [System.Collections.Generic.HashSet[string]]::new(
    [string[]]([System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters),
    [StringComparer]::OrdinalIgnoreCase)

$script:DefaultResultSizeWarning = 'By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify "-ResultSize Unlimited". Be aware that, depending upon the actual number of items, returning all items can take a long time and consume a large amount of resources on the server and the client computer.'
$script:MoreResultsWarning = 'There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.'

# Every cmdlet starts here. A dropped connection, or an expired session, fails the call with a transport error
# that breaks the client's runspace (ServerWatchdog.ReportTransportError); the client then ends this process.
function Assert-ExoSandboxSession {
    param([System.Management.Automation.PSCmdlet]$Cmdlet)
    $message = if ($script:Session.ShouldDrop) {
        [ExoConnect.Sandbox.ConnectionErrors]::DroppedConnection
    } elseif ($script:Session.Expired) {
        [ExoConnect.Sandbox.ConnectionErrors]::ShellNotFound($script:Session.ShellId)
    }
    if (-not $message) {
        # The tenant's CommandLatencyMs: the round trip a distant service costs each call.
        if ($script:Session.CommandLatencyMs -gt 0) { Start-Sleep -Milliseconds $script:Session.CommandLatencyMs }
        return
    }
    [ExoConnect.Sandbox.ServerWatchdog]::ReportTransportError($message)
    # Write nothing more: wait for the client to stop this command and end the process.
    Start-Sleep -Seconds 30
    [ExoConnect.Sandbox.ServerWatchdog]::ExitNow()
}

function Get-ExoSandboxInnerException {
    param([System.Exception]$Exception)
    while ($Exception -is [System.Management.Automation.MethodInvocationException] -and $Exception.InnerException) {
        $Exception = $Exception.InnerException
    }
    $Exception
}

# Runs an engine call; Exchange task errors become non-terminating error records, like the real cmdlets'.
function Invoke-ExoSandboxOperation {
    param([System.Management.Automation.PSCmdlet]$Cmdlet, [scriptblock]$Operation)
    try {
        & $Operation
    } catch {
        $e = Get-ExoSandboxInnerException $_.Exception
        if ($e -is [ExoConnect.Sandbox.ExchangeTaskException]) {
            $Cmdlet.WriteError($e.ToErrorRecord())
            return
        }
        if ($e -is [ExoConnect.Sandbox.OpathException]) {
            $message = 'Cannot bind parameter ''Filter'' to the target. Exception setting "Filter": "' + $e.Message + '"'
            $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                    [System.Management.Automation.ParameterBindingException]::new($message, $e), 'ParameterBindingFailed', 'InvalidArgument', $null))
        }
        if ($e -is [System.ArgumentException]) {
            $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($e, 'ParameterBindingFailed', 'InvalidArgument', $null))
        }
        throw
    }
}

function ConvertTo-ExoSandboxResultSize {
    param([System.Management.Automation.PSCmdlet]$Cmdlet, $Value)
    if ($Value -is [string] -and $Value -ieq 'Unlimited') { return [long]::MaxValue }
    $number = 0L
    if ([long]::TryParse([string]$Value, [ref]$number) -and $number -ge 1 -and $number -le [uint32]::MaxValue) { return $number }
    $e = [System.Management.Automation.PSArgumentException]::new(
        "Cannot process argument transformation on parameter 'ResultSize'. Cannot convert value `"$Value`" to type `"Microsoft.Exchange.Data.Unlimited``1[System.UInt32]`". Error: `"The value must be a positive whole number or Unlimited.`"")
    $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($e, 'ParameterArgumentTransformationError', 'InvalidData', $Value))
}

# Streams a query's results in batches, then warns as Exchange does when ResultSize cut them short. The REST face
# pages instead: its worker gets the open query (PagedQuery) and answers each page from it, with the same warning.
function Write-ExoSandboxQuery {
    param([System.Management.Automation.PSCmdlet]$Cmdlet, $Query, $ResultSize, [bool]$ResultSizeGiven)
    $limit = ConvertTo-ExoSandboxResultSize $Cmdlet $ResultSize
    $warning = if ($ResultSizeGiven) { $script:MoreResultsWarning } else { $script:DefaultResultSizeWarning }
    if ($script:Session.IsRest) {
        $Cmdlet.WriteObject([ExoConnect.Sandbox.PagedQuery]::new($Query, $limit, $warning))
        return
    }
    $written = 0L
    while ($written -lt $limit) {
        $batch = $Query.Next([int][Math]::Min(1000L, $limit - $written))
        if ($batch.Length -eq 0) { break }
        $Cmdlet.WriteObject($batch, $true)
        $written += $batch.Length
    }
    if ($written -ge $limit -and $Query.HasMore) { $Cmdlet.WriteWarning($warning) }
}

function Get-ExoSandboxChanges {
    param([System.Collections.IDictionary]$Bound, [string[]]$Exclude)
    $changes = [ordered]@{}
    foreach ($key in $Bound.Keys) {
        if ($script:CommonParameters.Contains($key) -or $Exclude -contains $key) { continue }
        $value = $Bound[$key]
        if ($value -is [System.Management.Automation.SwitchParameter]) { $value = $value.IsPresent }
        $changes[$key] = $value
    }
    $changes
}

function Get-Mailbox {
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.Mailbox')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [Parameter(ParameterSetName = 'AnrSet', Mandatory)]
        [string]$Anr,
        [string]$Filter,
        [string[]]$RecipientTypeDetails,
        [object]$ResultSize = 1000
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        $resultSizeGiven = $PSBoundParameters.ContainsKey('ResultSize')
        Invoke-ExoSandboxOperation $cmdlet {
            $query = $script:Engine.Query('Mailbox', $Identity, $Filter, $null, $RecipientTypeDetails, $Anr)
            Write-ExoSandboxQuery $cmdlet $query $ResultSize $resultSizeGiven
        }
    }
}

function Get-User {
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.User')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [Parameter(ParameterSetName = 'AnrSet', Mandatory)]
        [string]$Anr,
        [string]$Filter,
        [string[]]$RecipientTypeDetails,
        [object]$ResultSize = 1000
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        $resultSizeGiven = $PSBoundParameters.ContainsKey('ResultSize')
        Invoke-ExoSandboxOperation $cmdlet {
            $query = $script:Engine.Query('User', $Identity, $Filter, $null, $RecipientTypeDetails, $Anr)
            Write-ExoSandboxQuery $cmdlet $query $ResultSize $resultSizeGiven
        }
    }
}

function Get-Recipient {
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.ReducedRecipient')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [Parameter(ParameterSetName = 'AnrSet', Mandatory)]
        [string]$Anr,
        [string]$Filter,
        [string[]]$RecipientType,
        [string[]]$RecipientTypeDetails,
        [object]$ResultSize = 1000
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        $resultSizeGiven = $PSBoundParameters.ContainsKey('ResultSize')
        Invoke-ExoSandboxOperation $cmdlet {
            $query = $script:Engine.Query('Recipient', $Identity, $Filter, $RecipientType, $RecipientTypeDetails, $Anr)
            Write-ExoSandboxQuery $cmdlet $query $ResultSize $resultSizeGiven
        }
    }
}

function Get-DistributionGroup {
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.DistributionGroup')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [Parameter(ParameterSetName = 'AnrSet', Mandatory)]
        [string]$Anr,
        [string]$Filter,
        [object]$ResultSize = 1000
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        $resultSizeGiven = $PSBoundParameters.ContainsKey('ResultSize')
        Invoke-ExoSandboxOperation $cmdlet {
            $query = $script:Engine.Query('DistributionGroup', $Identity, $Filter, $null, $null, $Anr)
            Write-ExoSandboxQuery $cmdlet $query $ResultSize $resultSizeGiven
        }
    }
}

function Get-DistributionGroupMember {
    [CmdletBinding()]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.ReducedRecipient')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [object]$ResultSize = 1000
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        $resultSizeGiven = $PSBoundParameters.ContainsKey('ResultSize')
        Invoke-ExoSandboxOperation $cmdlet {
            $query = $script:Engine.Members($Identity)
            Write-ExoSandboxQuery $cmdlet $query $ResultSize $resultSizeGiven
        }
    }
}

function Add-DistributionGroupMember {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string]$Member,
        [switch]$BypassSecurityGroupManagerCheck
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        if (-not $PSCmdlet.ShouldProcess($Identity, "Adding member `"$Member`"")) { return }
        Invoke-ExoSandboxOperation $PSCmdlet { $script:Engine.AddDistributionGroupMember($Identity, $Member) }
    }
}

function Remove-DistributionGroupMember {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string]$Member,
        [switch]$BypassSecurityGroupManagerCheck
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        if (-not $PSCmdlet.ShouldProcess($Identity, "Removing member `"$Member`"")) { return }
        Invoke-ExoSandboxOperation $PSCmdlet { $script:Engine.RemoveDistributionGroupMember($Identity, $Member) }
    }
}

function New-Mailbox {
    [CmdletBinding(DefaultParameterSetName = 'User', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.Mailbox')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string]$Name,
        [Parameter(ParameterSetName = 'User', Mandatory)]
        [string]$MicrosoftOnlineServicesID,
        [Parameter(ParameterSetName = 'User', Mandatory)]
        [securestring]$Password,
        [Parameter(ParameterSetName = 'User')]
        [bool]$ResetPasswordOnNextLogon,
        [Parameter(ParameterSetName = 'Shared', Mandatory)]
        [switch]$Shared,
        [Parameter(ParameterSetName = 'Room', Mandatory)]
        [switch]$Room,
        [Parameter(ParameterSetName = 'Equipment', Mandatory)]
        [switch]$Equipment,
        [string]$Alias,
        [string]$DisplayName,
        [string]$FirstName,
        [string]$LastName,
        [string]$PrimarySmtpAddress
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        if (-not $PSCmdlet.ShouldProcess($Name, 'Creating mailbox')) { return }
        $parameters = Get-ExoSandboxChanges $PSBoundParameters @()
        $cmdlet = $PSCmdlet
        Invoke-ExoSandboxOperation $cmdlet { $cmdlet.WriteObject($script:Engine.NewMailbox($parameters)) }
    }
}

function Set-Mailbox {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [string]$DisplayName,
        [string]$Name,
        [string]$Alias,
        [object]$EmailAddresses,
        [string]$PrimarySmtpAddress,
        [string]$WindowsEmailAddress,
        [bool]$HiddenFromAddressListsEnabled,
        [string]$ForwardingSmtpAddress,
        [bool]$DeliverToMailboxAndForward,
        [bool]$LitigationHoldEnabled,
        [string]$Office,
        [ValidateSet('Regular', 'Room', 'Equipment', 'Shared')]
        [string]$Type,
        [string]$CustomAttribute1, [string]$CustomAttribute2, [string]$CustomAttribute3, [string]$CustomAttribute4,
        [string]$CustomAttribute5, [string]$CustomAttribute6, [string]$CustomAttribute7, [string]$CustomAttribute8,
        [string]$CustomAttribute9, [string]$CustomAttribute10, [string]$CustomAttribute11, [string]$CustomAttribute12,
        [string]$CustomAttribute13, [string]$CustomAttribute14, [string]$CustomAttribute15
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        if (-not $PSCmdlet.ShouldProcess($Identity, 'Setting mailbox')) { return }
        $changes = Get-ExoSandboxChanges $PSBoundParameters @('Identity')
        $cmdlet = $PSCmdlet
        Invoke-ExoSandboxOperation $cmdlet {
            if (-not $script:Engine.SetMailbox($Identity, $changes)) {
                $cmdlet.WriteWarning("The command completed successfully but no settings of '$Identity' have been modified.")
            }
        }
    }
}

function Set-User {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [string]$DisplayName,
        [string]$FirstName,
        [string]$LastName,
        [string]$Title,
        [string]$Department,
        [string]$Company,
        [string]$Office,
        [string]$City,
        [string]$StateOrProvince,
        [string]$CountryOrRegion,
        [string]$Phone,
        [bool]$RemotePowerShellEnabled
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        if (-not $PSCmdlet.ShouldProcess($Identity, 'Setting user')) { return }
        $changes = Get-ExoSandboxChanges $PSBoundParameters @('Identity')
        $cmdlet = $PSCmdlet
        Invoke-ExoSandboxOperation $cmdlet {
            if (-not $script:Engine.SetUser($Identity, $changes)) {
                $cmdlet.WriteWarning("The command completed successfully but no settings of '$Identity' have been modified.")
            }
        }
    }
}

function Remove-Mailbox {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string]$Identity,
        [bool]$Permanent
    )
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        if (-not $PSCmdlet.ShouldProcess($Identity, 'Removing mailbox')) { return }
        Invoke-ExoSandboxOperation $PSCmdlet { $script:Engine.RemoveMailbox($Identity) }
    }
}

function Get-AcceptedDomain {
    [CmdletBinding()]
    [OutputType('Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomain')]
    param([Parameter(Position = 0, ValueFromPipelineByPropertyName)][string]$Identity)
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        Invoke-ExoSandboxOperation $cmdlet { $cmdlet.WriteObject($script:Engine.AcceptedDomains($Identity), $true) }
    }
}

function Get-OrganizationConfig {
    [CmdletBinding()]
    [OutputType('Microsoft.Exchange.Data.Directory.Management.OrganizationConfig')]
    param([Parameter(Position = 0)][string]$Identity)
    begin { Assert-ExoSandboxSession $PSCmdlet }
    process {
        $cmdlet = $PSCmdlet
        Invoke-ExoSandboxOperation $cmdlet { $cmdlet.WriteObject($script:Engine.OrganizationConfig()) }
    }
}

# RestrictedRemoteServer also offers Clear-Host and aliases of its commands (cls, gcm, select, …), which
# Import-PSSession would import: it warns that cls shadows a local command, and with -AllowClobber fails on the
# read-only local aliases. The real endpoint offers none of them.
$commands = $ExecutionContext.SessionState.InvokeCommand
foreach ($hidden in @($commands.GetCommand('Clear-Host', 'Function')) + @($commands.GetCommands('*', 'Alias', $true))) {
    if ($hidden) { $hidden.Visibility = 'Private' }
}
Remove-Variable -Name commands, hidden

Export-ModuleMember -Function @(
    'Get-Mailbox', 'New-Mailbox', 'Set-Mailbox', 'Remove-Mailbox', 'Get-Recipient', 'Get-User', 'Set-User',
    'Get-AcceptedDomain', 'Get-OrganizationConfig', 'Get-DistributionGroup', 'Get-DistributionGroupMember',
    'Add-DistributionGroupMember', 'Remove-DistributionGroupMember'
)
