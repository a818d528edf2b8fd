<#
.SYNOPSIS
  Installs swarm-bootstrap on a Windows machine (for a VM custom-script extension, or by hand).

.DESCRIPTION
  Copies swarm-bootstrap.exe to %ProgramFiles%\swarm-bootstrap, restricts %ProgramData%\swarm-bootstrap (its
  configuration, state and log) to SYSTEM and Administrators, and runs `swarm-bootstrap.exe service install`,
  which writes config.json from the options given here, registers the Windows service (delayed automatic start,
  depends on the docker service, restarts on failure) and starts it. With -OneShot it runs `join` instead and
  returns its exit code. The logic lives in the exe, where it is tested; this script only places files.

  Exit codes are the agent's (see the README): 0 success, 2 usage or configuration error, 3 no manager answered
  in time, 4 join rejected, 5 no local Docker engine, 6 in another swarm, 7 another agent is running, 1 other.

.EXAMPLE
  .\install.ps1 -Managers 10.0.0.5,10.0.0.6 -Labels zone=west,pool=win
.EXAMPLE
  .\install.ps1 -Managers "172.16.0.5+3" -Role worker -TokenFile C:\secrets\token -OneShot
#>
[CmdletBinding()]
param(
    # Managers' Engine API addresses, in any form `join --manager` takes; comma-separated strings are split.
    [string[]] $Managers = @(),
    [ValidateSet('worker', 'manager')] [string] $Role = 'worker',
    # KEY=VALUE node labels; comma-separated strings are split.
    [string[]] $Labels = @(),
    # A file holding the join token; copied to %ProgramData%\swarm-bootstrap\join-token.
    [string] $TokenFile,
    # The exe to install: a path or an http(s) URL. Default: swarm-bootstrap.exe next to this script.
    [string] $Source = (Join-Path $PSScriptRoot 'swarm-bootstrap.exe'),
    # Refuse an exe whose `swarm-bootstrap.exe version` does not report this version.
    [string] $Version,
    # Services to start after (default docker); -NoDepends for none.
    [string[]] $DependsOn = @(),
    [switch] $NoDepends,
    [switch] $NoStart,
    # Join once now and return the exit code; no service.
    [switch] $OneShot
)
$ErrorActionPreference = 'Stop'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Write-Error 'install.ps1: run from an elevated (Administrator) prompt'
    exit 2
}

$programDir = Join-Path $env:ProgramFiles 'swarm-bootstrap'
$dataDir = Join-Path $env:ProgramData 'swarm-bootstrap'
$exe = Join-Path $programDir 'swarm-bootstrap.exe'

# The exe: download or take it, check its version, replace the installed one (stopping the service first).
$staged = Join-Path ([IO.Path]::GetTempPath()) "swarm-bootstrap-$PID.exe"
if ($Source -match '^https?://') {
    Invoke-WebRequest -UseBasicParsing -Uri $Source -OutFile $staged
} else {
    if (-not (Test-Path -LiteralPath $Source)) { Write-Error "install.ps1: $Source not found"; exit 2 }
    Copy-Item -LiteralPath $Source -Destination $staged -Force
}
if ($Version) {
    $reported = (& $staged version | Select-Object -First 1)
    if ($reported -notmatch "\b$([regex]::Escape($Version))\b") {
        Remove-Item -LiteralPath $staged -Force
        Write-Error "install.ps1: $Source reports '$reported', not version $Version"
        exit 2
    }
}
if (Get-Service -Name 'swarm-bootstrap' -ErrorAction SilentlyContinue) {
    Stop-Service -Name 'swarm-bootstrap' -Force -ErrorAction SilentlyContinue
}
New-Item -ItemType Directory -Force -Path $programDir | Out-Null
Move-Item -LiteralPath $staged -Destination $exe -Force

# Configuration, state and log: SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544) only, nothing inherited.
# (`service install` sets the same access list; doing it first also covers the token copied below.)
New-Item -ItemType Directory -Force -Path $dataDir | Out-Null
& icacls.exe $dataDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null
if ($LASTEXITCODE -ne 0) { Write-Error "install.ps1: icacls on $dataDir failed"; exit 1 }

$arguments = @()
foreach ($m in ($Managers | ForEach-Object { $_ -split ',' } | Where-Object { $_.Trim() })) {
    $arguments += @('--manager', $m.Trim())
}
# Only what was given: with none of -Managers, -Role, -Labels, -TokenFile the existing config.json is kept
# (to update just the exe).
if ($PSBoundParameters.ContainsKey('Role')) { $arguments += @('--role', $Role) }
foreach ($l in ($Labels | ForEach-Object { $_ -split ',' } | Where-Object { $_.Trim() })) {
    $arguments += @('--label', $l.Trim())
}
if ($TokenFile) {
    $tokenCopy = Join-Path $dataDir 'join-token'
    Copy-Item -LiteralPath $TokenFile -Destination $tokenCopy -Force
    $arguments += @('--token-file', $tokenCopy)
}

if ($OneShot) {
    & $exe join @arguments
    exit $LASTEXITCODE
}
if ($NoDepends) {
    $arguments += '--no-depends'
} else {
    foreach ($d in $DependsOn) { $arguments += @('--depends-on', $d) }
}
if ($NoStart) { $arguments += '--no-start' }
& $exe service install @arguments
exit $LASTEXITCODE
