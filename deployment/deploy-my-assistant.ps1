# Put the server's tools on the shop's Vapi assistant (VAPI_API_KEY, VAPI_ASSISTANT_ID and the webhook
# credential come from the shop's settings, C:\Kebabalab\.env). Shows the plan first; asks before changing anything.
#   .\deployment\deploy-my-assistant.ps1 -ServerUrl https://orders.example.com/webhook
param([Parameter(Mandatory = $true)][string]$ServerUrl, [string]$Root = "C:\Kebabalab")
$ErrorActionPreference = "Stop"
$Kebabalab = "$Root\current\venv\Scripts\kebabalab.exe"
if (-not (Test-Path $Kebabalab)) { Write-Host "Stopped: $Kebabalab is missing; run setup-windows.ps1 first." -ForegroundColor Red; exit 1 }
Push-Location $Root  # where .env is: the settings are read from the folder it runs in
try {
    & $Kebabalab vapi sync --server-url $ServerUrl
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    $answer = Read-Host "Apply these changes to the assistant? (y/n)"
    if ($answer -eq "y") { & $Kebabalab vapi sync --server-url $ServerUrl --apply; exit $LASTEXITCODE }
} finally { Pop-Location }
