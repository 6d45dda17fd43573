# Helpers the benchmark loads into a pwsh: the bridge-only workload of scenario 3, and the one-shot
# credential hand-over for the node-powershell baseline (its stdin carries commands, so the password comes
# over a private Unix socket instead: never in script text, argv or the environment).

# The bridge-only workload: $Count mailbox-like objects (16 properties: strings, a string list, a
# boolean, Guids, a date, a number) made inside this pwsh, so that scenario 3 measures the bridge with no
# remote hop. They are built by compiled code: a PowerShell loop building [pscustomobject]s costs about
# 60 µs an object, more than the serialization being measured.
if (-not ('ExoBench.BenchMailbox' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;

namespace ExoBench
{
    public sealed class BenchMailbox
    {
        static readonly string[] Departments = { "Sales", "Marketing", "Engineering", "Finance", "Human Resources", "Legal", "Operations", "Support" };
        static readonly string[] Offices = { "SEA-1", "NYC-2", "LON-1", "BER-3", "TOK-1", "SYD-2", "SAO-1", "JNB-1" };
        static readonly DateTime Created = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public BenchMailbox(int i)
        {
            Index = i;
            Alias = "bench" + i.ToString("d6");
            Name = "Bench User " + i;
            DisplayName = Name;
            PrimarySmtpAddress = Alias + "@sandbox.exo.localhost";
            UserPrincipalName = PrimarySmtpAddress;
            EmailAddresses = new[] { "SMTP:" + PrimarySmtpAddress, "smtp:" + Alias + "@sandbox.onmicrosoft.localhost" };
            Department = Departments[i % 8];
            Office = Offices[i % 8];
            HiddenFromAddressListsEnabled = i % 10 == 0;
            Guid = new Guid(i, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 0);
            ExchangeGuid = new Guid(i, 1, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 0);
            WhenCreatedUTC = Created.AddMinutes(i);
        }

        public string Name { get; }
        public string Alias { get; }
        public string DisplayName { get; }
        public string PrimarySmtpAddress { get; }
        public string UserPrincipalName { get; }
        public string[] EmailAddresses { get; }
        public string RecipientTypeDetails => "UserMailbox";
        public string Department { get; }
        public string Office { get; }
        public bool HiddenFromAddressListsEnabled { get; }
        public string ProhibitSendQuota => "99 GB (106,300,440,576 bytes)";
        public string IssueWarningQuota => "98 GB (105,226,698,752 bytes)";
        public Guid Guid { get; }
        public Guid ExchangeGuid { get; }
        public DateTime WhenCreatedUTC { get; }
        public int Index { get; }

        public static IEnumerable<BenchMailbox> Range(int count)
        {
            for (int i = 0; i < count; i++) yield return new BenchMailbox(i);
        }
    }
}
'@
}

function Get-BenchObject {
    [CmdletBinding()]
    param([ValidateRange(0, 10000000)][int]$Count = 1000)
    [ExoBench.BenchMailbox]::Range($Count)
}

# Reads "user\npassword\n" once from the Unix socket the runner listens on, and returns a PSCredential.
function Read-BenchCredential {
    param([string]$SocketPath = $env:EXO_BENCH_CREDENTIAL_SOCKET)
    $socket = [System.Net.Sockets.Socket]::new(
        [System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream,
        [System.Net.Sockets.ProtocolType]::Unspecified)
    try {
        $socket.Connect([System.Net.Sockets.UnixDomainSocketEndPoint]::new($SocketPath))
        $reader = [System.IO.StreamReader]::new([System.Net.Sockets.NetworkStream]::new($socket, $true))
        $user = $reader.ReadLine()
        $secure = $reader.ReadLine() | ConvertTo-SecureString -AsPlainText -Force
        [pscredential]::new($user, $secure)
    } finally {
        $socket.Dispose()
    }
}

Export-ModuleMember -Function Get-BenchObject, Read-BenchCredential
