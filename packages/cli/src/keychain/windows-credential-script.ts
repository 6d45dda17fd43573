/**
 * Windows Credential Manager through pwsh: a fixed script, run with -EncodedCommand. It holds no user data:
 * the request (operation, target, account, password) is one JSON object on stdin, and the answer one JSON
 * object on stdout, both UTF-8. The Win32 credential functions (CredReadW, CredWriteW, CredDeleteW of
 * advapi32) are reached through a small C# class compiled by Add-Type; the password is stored as its UTF-8
 * bytes in a generic credential ("exo-connect:<account>", persisted for this user on this machine), the way
 * keytar and git-credential-manager store theirs. Bump the version line when the contract changes.
 */
export const WINDOWS_CREDENTIAL_SCRIPT = `# exo-connect keychain: Windows Credential Manager v1
$ErrorActionPreference = 'Stop'
function Write-ExoAnswer($answer) {
    $bytes = [System.Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $answer -Compress -EscapeHandling EscapeNonAscii))
    $out = [Console]::OpenStandardOutput()
    $out.Write($bytes, 0, $bytes.Length)
    $out.Flush()
}
try {
    $in = [Console]::OpenStandardInput()
    $buffer = [System.IO.MemoryStream]::new()
    $in.CopyTo($buffer)
    try {
        $request = ConvertFrom-Json -InputObject ([System.Text.Encoding]::UTF8.GetString($buffer.ToArray())) -AsHashtable
    } catch {
        # The parser's message would quote the request, password included.
        throw 'the request on stdin was not one JSON object'
    }
    $buffer = $null
    if (-not ('ExoConnect.CredentialManager' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace ExoConnect
{
    public static class CredentialManager
    {
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct Credential
        {
            public uint Flags;
            public uint Type;
            public string TargetName;
            public string Comment;
            public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
            public uint CredentialBlobSize;
            public IntPtr CredentialBlob;
            public uint Persist;
            public uint AttributeCount;
            public IntPtr Attributes;
            public string TargetAlias;
            public string UserName;
        }

        private const uint Generic = 1;
        private const uint PersistLocalMachine = 2;
        private const int ErrorNotFound = 1168;

        [DllImport("advapi32.dll", EntryPoint = "CredReadW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CredRead(string target, uint type, uint flags, out IntPtr credential);

        [DllImport("advapi32.dll", EntryPoint = "CredWriteW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CredWrite(ref Credential credential, uint flags);

        [DllImport("advapi32.dll", EntryPoint = "CredDeleteW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CredDelete(string target, uint type, uint flags);

        [DllImport("advapi32.dll", EntryPoint = "CredFree")]
        private static extern void CredFree(IntPtr buffer);

        /// <summary>The stored password, or null when there is none.</summary>
        public static string Read(string target)
        {
            IntPtr found;
            if (!CredRead(target, Generic, 0, out found))
            {
                int error = Marshal.GetLastWin32Error();
                if (error == ErrorNotFound) return null;
                throw new Win32Exception(error);
            }
            try
            {
                Credential credential = Marshal.PtrToStructure<Credential>(found);
                byte[] bytes = new byte[credential.CredentialBlobSize];
                if (bytes.Length > 0) Marshal.Copy(credential.CredentialBlob, bytes, 0, bytes.Length);
                return Encoding.UTF8.GetString(bytes);
            }
            finally
            {
                CredFree(found);
            }
        }

        public static void Write(string target, string userName, string password)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(password);
            IntPtr blob = Marshal.AllocHGlobal(Math.Max(bytes.Length, 1));
            try
            {
                Marshal.Copy(bytes, 0, blob, bytes.Length);
                Credential credential = new Credential();
                credential.Type = Generic;
                credential.TargetName = target;
                credential.UserName = userName;
                credential.CredentialBlob = blob;
                credential.CredentialBlobSize = (uint)bytes.Length;
                credential.Persist = PersistLocalMachine;
                if (!CredWrite(ref credential, 0)) throw new Win32Exception(Marshal.GetLastWin32Error());
            }
            finally
            {
                for (int i = 0; i < bytes.Length; i++) Marshal.WriteByte(blob, i, 0);
                Marshal.FreeHGlobal(blob);
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>True when a credential was removed.</summary>
        public static bool Delete(string target)
        {
            if (CredDelete(target, Generic, 0)) return true;
            int error = Marshal.GetLastWin32Error();
            if (error == ErrorNotFound) return false;
            throw new Win32Exception(error);
        }
    }
}
'@
    }
    $target = [string]$request['target']
    switch -CaseSensitive ([string]$request['op']) {
        'get' {
            $password = [ExoConnect.CredentialManager]::Read($target)
            Write-ExoAnswer @{ ok = $true; found = $null -ne $password; password = $password }
        }
        'set' {
            [ExoConnect.CredentialManager]::Write($target, [string]$request['account'], [string]$request['password'])
            Write-ExoAnswer @{ ok = $true }
        }
        'delete' { Write-ExoAnswer @{ ok = $true; found = [ExoConnect.CredentialManager]::Delete($target) } }
        default { throw "unknown operation '$($request['op'])'" }
    }
} catch {
    $e = $_.Exception
    while ($e -is [System.Management.Automation.MethodInvocationException] -and $e.InnerException) { $e = $e.InnerException }
    Write-ExoAnswer @{ ok = $false; error = [string]$e.Message }
}
`;

/** The script as pwsh's -EncodedCommand takes it: base64 of its UTF-16LE text. */
export function encodedWindowsCredentialScript(): string {
  return Buffer.from(WINDOWS_CREDENTIAL_SCRIPT, 'utf16le').toString('base64');
}
