<#
.SYNOPSIS
  Removes swarm-bootstrap from a Windows machine.

.DESCRIPTION
  `swarm-bootstrap.exe service uninstall` stops and deletes the service (and does nothing when it is not
  installed), then the program directory is removed. -Leave first takes the node out of the swarm
  (`swarm-bootstrap.exe leave`); -Purge also deletes %ProgramData%\swarm-bootstrap (configuration, state, log,
  token). Exit code: the agent's (0 when removed or not installed).
#>
[CmdletBinding()]
param(
    [switch] $Leave,
    [switch] $Purge
)
$ErrorActionPreference = 'Stop'

$programDir = Join-Path $env:ProgramFiles 'swarm-bootstrap'
$dataDir = Join-Path $env:ProgramData 'swarm-bootstrap'
$exe = Join-Path $programDir 'swarm-bootstrap.exe'

if (-not (Test-Path -LiteralPath $exe)) {
    Write-Output "uninstall.ps1: $exe is not there; nothing to remove"
    if ($Purge) { Remove-Item -LiteralPath $dataDir -Recurse -Force -ErrorAction SilentlyContinue }
    exit 0
}
& $exe service uninstall
$code = $LASTEXITCODE
if ($code -ne 0) { exit $code }
if ($Leave) {
    & $exe leave
    if ($LASTEXITCODE -ne 0) { Write-Warning "uninstall.ps1: leave exited $LASTEXITCODE" }
}
Remove-Item -LiteralPath $programDir -Recurse -Force
if ($Purge) { Remove-Item -LiteralPath $dataDir -Recurse -Force }
exit 0
