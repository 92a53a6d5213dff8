# Set up Kebabalab Orders on Windows as a service: a scheduled task that starts it at boot and restarts it
# after a crash, a nightly backup task, a rotating log file, and the production settings.
#
#   Run PowerShell as Administrator, in the project folder:
#     Set-ExecutionPolicy -Scope Process -ExecutionPolicy Bypass    # this window only; or RemoteSigned for
#     .\deployment\setup-windows.ps1                                # the user, if scripts are blocked
#   The first run writes C:\Kebabalab\.env and stops: fill in its secrets, then run it again.
#
# Why a scheduled task and not a Windows service wrapper: Task Scheduler is part of Windows, starts the task at
# boot with no one signed in, and starts it again within a minute after a crash (step 4), with nothing more
# to install; a service needs pywin32 (a native package tied to one Python version) or a separate
# wrapper program, and code of its own that cannot be tested on the Linux machines that test the rest.
# Every step below is a `kebabalab` command (tested on Linux) or a Windows cmdlet; any failure stops here.
#Requires -RunAsAdministrator
param([string]$Root = "C:\Kebabalab")
$ErrorActionPreference = "Stop"
$Project = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
Set-Location $Project

function Fail([string]$Message) {
    Write-Host "Setup stopped: $Message" -ForegroundColor Red
    exit 1
}
function Check([string]$Step) {
    if ($LASTEXITCODE -ne 0) { Fail "$Step failed (exit code $LASTEXITCODE); the lines above say why." }
}

# 1. Python 3.11 or newer, through the py launcher
if (-not (Get-Command py -ErrorAction SilentlyContinue)) {
    Fail "Python is not installed. Install Python 3.11 or newer from python.org (keep 'py launcher' ticked)."
}
& py -3 -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
if ($LASTEXITCODE -ne 0) { Fail "Kebabalab needs Python 3.11 or newer; py -3 is $(& py -3 --version). Install a newer one from python.org." }
# The venvs run the Python they were made from, as LOCAL SERVICE, which cannot read anyone's profile folder:
# python.org's "Install Now" puts Python in the admin's own AppData, so the service would never start.
$BasePython = & py -3 -c "import sys; print(sys.base_prefix)"
if ($BasePython -like "$(Split-Path $env:USERPROFILE)\*") {
    Fail "Python is installed for this user only ($BasePython), where the service cannot run it. Run python.org's installer again: Customize installation, tick 'Install Python for all users'."
}

# 2. This folder's own venv, to run the set-up commands
if (-not (Test-Path ".venv\Scripts\python.exe")) { & py -3 -m venv .venv; Check "Creating .venv" }
& .venv\Scripts\python.exe -m pip install --quiet -r requirements.txt; Check "Installing requirements.txt"
& .venv\Scripts\python.exe -m pip install --quiet --no-deps -e .; Check "Installing kebabalab"
$Kebabalab = Join-Path $Project ".venv\Scripts\kebabalab.exe"

# 3. Folders, the shop's files and the production settings
foreach ($Folder in "state", "shop", "logs", "releases") { New-Item -ItemType Directory -Force (Join-Path $Root $Folder) | Out-Null }
foreach ($File in "menu.json", "hours.json", "business.json") {
    if (-not (Test-Path "$Root\shop\$File")) { Copy-Item "kebabalab\data\$File" "$Root\shop\$File" }
}
$FirstRun = -not (Test-Path "$Root\.env")
# The production example: PROXY_HOPS=1, because Caddy (or nginx) on this machine forwards every call; with 0,
# every caller would look like 127.0.0.1, and one stranger's wrong passwords would lock out the shop's tablets.
& $Kebabalab setup-env --target "$Root\.env" --state-dir "$Root\state" --config-dir "$Root\shop" --log-file "$Root\logs\kebabalab.log"
Check "Writing $Root\.env"
# The settings hold secrets: Administrators and SYSTEM, and the service account may read them.
& icacls "$Root\.env" /inheritance:r /grant:r "*S-1-5-32-544:F" "*S-1-5-18:F" "*S-1-5-19:R" | Out-Null; Check "Protecting $Root\.env"
# Only Administrators and SYSTEM change $Root: a folder made in C:\ lets every signed-in user change it, and the
# code in releases runs as the service. The service reads it all and writes only state and logs.
& icacls $Root /inheritance:r /grant:r "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-18:(OI)(CI)F" "*S-1-5-19:(OI)(CI)RX" | Out-Null
Check "Letting only Administrators change $Root and the service read it"
foreach ($Folder in "state", "logs") {
    & icacls "$Root\$Folder" /grant "*S-1-5-19:(OI)(CI)M" | Out-Null; Check "Letting the service write $Root\$Folder"
}
if ($FirstRun) {
    Write-Host "Now fill in the secrets in $Root\.env (VAPI_WEBHOOK_SECRET, TWILIO_*, SHOP_ORDER_TO, STAFF_PASSWORD)"
    Write-Host "and the shop's files in $Root\shop, then run .\deployment\setup-windows.ps1 again."
    exit 0
}
& $Kebabalab check-menu "$Root\shop\menu.json"; Check "Checking the menu"

# 4. The tasks. The server: started at boot, and every minute if it is not running (a crash, whatever the exit
#    code: Task Scheduler's own restart-on-failure counts a failed start, not every exit, and at most 255 times);
#    IgnoreNew makes the minute's start a no-op while it runs; no time limit (the default stops it after 3 days).
#    The backup: 03:30 every night, or at the next start if the machine was off.
$Exe = "$Root\current\venv\Scripts\kebabalab.exe"
$Service = New-ScheduledTaskPrincipal -UserId "NT AUTHORITY\LOCALSERVICE" -LogonType ServiceAccount
$Always = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -ExecutionTimeLimit ([TimeSpan]::Zero) `
    -RestartCount 255 -RestartInterval (New-TimeSpan -Minutes 1) -StartWhenAvailable `
    -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
$EveryMinute = New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval (New-TimeSpan -Minutes 1)
Register-ScheduledTask -TaskName "Kebabalab Orders" -Force -Principal $Service -Settings $Always `
    -Trigger @((New-ScheduledTaskTrigger -AtStartup), $EveryMinute) `
    -Action (New-ScheduledTaskAction -Execute $Exe -Argument "serve" -WorkingDirectory $Root) | Out-Null
$Nightly = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1) `
    -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 10)
Register-ScheduledTask -TaskName "Kebabalab Backup" -Force -Principal $Service -Settings $Nightly `
    -Trigger (New-ScheduledTaskTrigger -Daily -At "03:30") `
    -Action (New-ScheduledTaskAction -Execute $Exe -Argument "backup" -WorkingDirectory $Root) | Out-Null

# 5. This folder as a release in $Root\releases, $Root\current pointing at it, started and checked
#    (the same `kebabalab update` as later updates; the settings come from $Root\.env).
Push-Location $Root
try { & $Kebabalab update $Project --root $Root; Check "Installing and starting the release" } finally { Pop-Location }
Write-Host "Ready: the server runs as the scheduled task 'Kebabalab Orders' and starts at every boot."
Write-Host "Log: $Root\logs\kebabalab.log. Backups: $Root\state\backups (nightly). Updates: .\deployment\update.ps1"
