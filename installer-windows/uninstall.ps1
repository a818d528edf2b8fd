<#
.SYNOPSIS
  Removes swarm-bootstrap: `msiexec /x` of the installed product.

.DESCRIPTION
  A thin wrapper. The MSI stops and deletes the service and removes the program files; the configuration and
  state in %ProgramData%\swarm-bootstrap stay unless -Purge (PURGE=1). -Leave first stops the service, then
  takes the node out of the swarm and removes its entry on a manager (`swarm-bootstrap.exe leave
  --remove-node`). Exit code: msiexec's (0 removed; 0 also when nothing is installed).
#>
[CmdletBinding()]
param(
    [switch] $Leave,
    [switch] $Purge,
    [string] $Log = (Join-Path ([IO.Path]::GetTempPath()) 'swarm-bootstrap-uninstall.log')
)
$ErrorActionPreference = 'Stop'

# The MSI's product code changes with every build: find it by the name the MSI registers.
$product = Get-ChildItem 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' |
    Where-Object { $_.GetValue('DisplayName') -eq 'swarm-bootstrap' } | Select-Object -First 1
if (-not $product) {
    Write-Output 'uninstall.ps1: swarm-bootstrap is not installed; nothing to remove'
    exit 0
}
if ($Leave) {
    # The running service holds the one-instance lock (leave would exit 7) and would join the node again right
    # after it left: stop it first, as uninstall.sh does. Stop-Service waits until the service has stopped.
    Stop-Service -Name 'swarm-bootstrap' -ErrorAction SilentlyContinue
    $config = Join-Path $env:ProgramData 'swarm-bootstrap\config.json'
    & (Join-Path $env:ProgramFiles 'swarm-bootstrap\swarm-bootstrap.exe') leave --remove-node --config $config
    if ($LASTEXITCODE -ne 0) { Write-Warning "uninstall.ps1: leave exited $LASTEXITCODE; removing it anyway" }
}
$arguments = @('/x', $product.PSChildName, '/qn', '/l*v', "`"$Log`"")
if ($Purge) { $arguments += 'PURGE=1' }
$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru
exit $process.ExitCode
