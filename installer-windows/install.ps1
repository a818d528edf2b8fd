<#
.SYNOPSIS
  Installs swarm-bootstrap from its MSI (for a VM custom-script extension, or by hand).

.DESCRIPTION
  A thin wrapper: it takes the MSI (a path, or an http(s) URL to download), and runs
    msiexec /i swarm-bootstrap.msi /qn /l*v LOG MANAGERS=... LABELS=... ROLE=... TOKEN_FILE=...
  The MSI and the exe do the rest (config.json, the service, upgrades); see the README. With -OneShot it runs
  `swarm-bootstrap.exe join` instead (the exe next to this script, else the installed one), with no service.

  Exit code: msiexec's (0 success, 3010 success but reboot needed, 1603 failed: see the log), or with -OneShot
  the agent's (0 joined, 2 usage, 3 no manager, 4 join rejected, 5 no local engine, 6 other swarm, 7 running).

.EXAMPLE
  .\install.ps1 -Managers 10.0.0.5,10.0.0.6 -Labels zone=west,pool=win
.EXAMPLE
  .\install.ps1 -Msi https://example.invalid/swarm-bootstrap.msi -Managers "172.16.0.5+3"
.EXAMPLE
  .\install.ps1 -Managers "172.16.0.5+3" -TokenFile C:\secrets\token -OneShot
#>
[CmdletBinding()]
param(
    # Managers, in any form `join --manager` takes.
    [string[]] $Managers = @(),
    [ValidateSet('worker', 'manager')] [string] $Role,
    # KEY=VALUE node labels.
    [string[]] $Labels = @(),
    [string] $TokenFile,
    # The MSI: a path or an http(s) URL. Default: swarm-bootstrap.msi next to this script.
    [string] $Msi = (Join-Path $PSScriptRoot 'swarm-bootstrap.msi'),
    # More MSI properties, e.g. @{ TIMEOUT = '30m'; DEPENDS_ON = 'none' }.
    [hashtable] $Properties = @{},
    [string] $Log = (Join-Path ([IO.Path]::GetTempPath()) 'swarm-bootstrap-install.log'),
    # Join once now and return the agent's exit code; no MSI, no service.
    [switch] $OneShot
)
$ErrorActionPreference = 'Stop'

# Comma-separated strings and arrays alike become one list.
$managerList = @($Managers | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
$labelList = @($Labels | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })

if ($OneShot) {
    $exe = Join-Path $PSScriptRoot 'swarm-bootstrap.exe'
    if (-not (Test-Path -LiteralPath $exe)) { $exe = Join-Path $env:ProgramFiles 'swarm-bootstrap\swarm-bootstrap.exe' }
    $arguments = @('join')
    foreach ($m in $managerList) { $arguments += @('--manager', $m) }
    foreach ($l in $labelList) { $arguments += @('--label', $l) }
    if ($Role) { $arguments += @('--role', $Role) }
    if ($TokenFile) { $arguments += @('--token-file', $TokenFile) }
    & $exe @arguments
    exit $LASTEXITCODE
}

if ($Msi -match '^https?://') {
    $download = Join-Path ([IO.Path]::GetTempPath()) 'swarm-bootstrap.msi'
    Invoke-WebRequest -UseBasicParsing -Uri $Msi -OutFile $download
    $Msi = $download
}
$all = @{}
foreach ($key in $Properties.Keys) { $all[$key.ToUpperInvariant()] = [string] $Properties[$key] }
if ($managerList) { $all['MANAGERS'] = $managerList -join ',' }
if ($labelList) { $all['LABELS'] = $labelList -join ',' }
if ($Role) { $all['ROLE'] = $Role }
if ($TokenFile) { $all['TOKEN_FILE'] = $TokenFile }

# msiexec's own quoting: PROPERTY="value", a quote inside doubled.
$arguments = @('/i', "`"$Msi`"", '/qn', '/l*v', "`"$Log`"")
foreach ($key in $all.Keys) { $arguments += "$key=`"$($all[$key] -replace '"', '""')`"" }
$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru
exit $process.ExitCode
