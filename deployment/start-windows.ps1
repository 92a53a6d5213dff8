# Start (or restart) Kebabalab Orders on Windows: the scheduled task setup-windows.ps1 registered.
# To try it in this window instead (stop the task first: one server per port):
#   Stop-ScheduledTask -TaskName "Kebabalab Orders"; cd C:\Kebabalab; .\current\venv\Scripts\kebabalab.exe serve
#Requires -RunAsAdministrator
$ErrorActionPreference = "Stop"
if (-not (Get-ScheduledTask -TaskName "Kebabalab Orders" -ErrorAction SilentlyContinue)) {
    Write-Host "Not started: there is no 'Kebabalab Orders' task; run setup-windows.ps1 first." -ForegroundColor Red; exit 1
}
Stop-ScheduledTask -TaskName "Kebabalab Orders"
Start-ScheduledTask -TaskName "Kebabalab Orders"
Get-ScheduledTask -TaskName "Kebabalab Orders" | Select-Object TaskName, State
