# Put the server's tools on the shop's Vapi assistant (VAPI_API_KEY, VAPI_ASSISTANT_ID and the webhook
# credential come from .env). Shows the plan first; asks before changing anything.
#   .\deployment\deploy-my-assistant.ps1 -ServerUrl https://orders.example.com/webhook
param([Parameter(Mandatory = $true)][string]$ServerUrl)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
& .venv\Scripts\python.exe -m kebabalab vapi sync --server-url $ServerUrl
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
$answer = Read-Host "Apply these changes to the assistant? (y/n)"
if ($answer -eq "y") { & .venv\Scripts\python.exe -m kebabalab vapi sync --server-url $ServerUrl --apply }
