# Compiles the sandbox engine (the C# files next to this script) once per source version into the user's cache
# directory and loads it. Compiling takes a second or two; every later import loads the cached assembly.

function Get-ExoSandboxCacheDirectory {
    if ($env:EXO_SANDBOX_CACHE_DIR) { return $env:EXO_SANDBOX_CACHE_DIR }
    $home_ = [Environment]::GetFolderPath('UserProfile')
    if ($IsWindows) {
        $base = if ($env:LOCALAPPDATA) { $env:LOCALAPPDATA } else { Join-Path $home_ 'AppData/Local' }
        return Join-Path $base 'exo-connect/sandbox-cache'
    }
    if ($IsMacOS) { return Join-Path $home_ 'Library/Caches/exo-connect/sandbox' }
    $base = if ($env:XDG_CACHE_HOME) { $env:XDG_CACHE_HOME } else { Join-Path $home_ '.cache' }
    Join-Path $base 'exo-connect/sandbox'
}

function Import-ExoSandboxEngine {
    $loaded = 'ExoConnect.Sandbox.TenantStore' -as [type]
    if ($loaded) { return $loaded.Assembly.Location }

    $sources = @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.cs' | Sort-Object Name)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $salt = [Text.Encoding]::UTF8.GetBytes("$($PSVersionTable.PSVersion)")
        $null = $sha.TransformBlock($salt, 0, $salt.Length, $null, 0)
        foreach ($file in $sources) {
            $bytes = [IO.File]::ReadAllBytes($file.FullName)
            $null = $sha.TransformBlock($bytes, 0, $bytes.Length, $null, 0)
        }
        $null = $sha.TransformFinalBlock([byte[]]::new(0), 0, 0)
        $hash = [Convert]::ToHexString($sha.Hash).Substring(0, 16).ToLowerInvariant()
    } finally {
        $sha.Dispose()
    }

    $cache = Get-ExoSandboxCacheDirectory
    $name = "ExoConnect.Sandbox.Engine.$hash.dll"
    $dll = Join-Path $cache $name
    if (-not (Test-Path -LiteralPath $dll)) {
        $null = New-Item -ItemType Directory -Force -Path $cache
        # Build under a private name, then rename: a concurrent import never loads a half-written file.
        $staging = Join-Path $cache ('.build-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $staging
        try {
            $built = Join-Path $staging $name
            Add-Type -Path $sources.FullName -OutputAssembly $built -OutputType Library -IgnoreWarnings -ErrorAction Stop
            try {
                [IO.File]::Move($built, $dll, $false)
            } catch [System.IO.IOException] {
                if (-not (Test-Path -LiteralPath $dll)) { throw }
            }
            # Builds of other sources, untouched for a day, are left over from earlier versions.
            $stale = [DateTime]::UtcNow.AddDays(-1)
            Get-ChildItem -LiteralPath $cache -Filter 'ExoConnect.Sandbox.Engine.*.dll' |
                Where-Object { $_.Name -ne $name -and $_.LastWriteTimeUtc -lt $stale } |
                Remove-Item -Force -ErrorAction SilentlyContinue
        } finally {
            Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
    Add-Type -Path $dll -ErrorAction Stop
    $dll
}
