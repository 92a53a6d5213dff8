# Update Kebabalab Orders on Windows; switches back by itself if the new version fails its checks.
#   Run PowerShell as Administrator:  .\deployment\update.ps1 C:\Downloads\kebabalab-1.2.0-py3-none-any.whl
#   (or a git tag: .\deployment\update.ps1 v1.2.0 -Repo https://github.com/<owner>/kebabalab.git)
# Every step is `kebabalab update` (deployment/README.md); this only finds it and the settings.
#Requires -RunAsAdministrator
param([Parameter(Mandatory = $true)][string]$Version, [string]$Repo = "", [string]$Root = "C:\Kebabalab")
$ErrorActionPreference = "Stop"
if (Test-Path $Version) { $Version = (Resolve-Path $Version).Path }  # a wheel or folder, before the move to $Root
$Kebabalab = "$Root\current\venv\Scripts\kebabalab.exe"
if (-not (Test-Path $Kebabalab)) { Write-Host "Update stopped: $Kebabalab is missing; run setup-windows.ps1 first." -ForegroundColor Red; exit 1 }
$Options = @("--root", $Root)
if ($Repo) { $Options += @("--repo", $Repo) }
Push-Location $Root  # where .env is; the window is back where it was afterwards
try { & $Kebabalab update $Version @Options; $Code = $LASTEXITCODE } finally { Pop-Location }
exit $Code
