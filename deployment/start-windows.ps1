# Start (or restart) Kebabalab Orders on Windows: the scheduled task setup-windows.ps1 registered.
# To try it in this window instead: cd C:\Kebabalab; .\current\venv\Scripts\kebabalab.exe serve
$ErrorActionPreference = "Stop"
Stop-ScheduledTask -TaskName "Kebabalab Orders"
Start-ScheduledTask -TaskName "Kebabalab Orders"
Get-ScheduledTask -TaskName "Kebabalab Orders" | Select-Object TaskName, State
