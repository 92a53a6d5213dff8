# Set up Kebabalab Orders on Windows: a virtual environment, the requirements, and the database.
# Run from the project folder:  .\deployment\setup-windows.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
& .venv\Scripts\python.exe -m pip install --quiet -r requirements.txt
if (-not (Test-Path ".env")) { Copy-Item ".env.example" ".env"; Write-Host "Created .env: fill in the secrets." }
& .venv\Scripts\python.exe -m kebabalab check-menu
& .venv\Scripts\python.exe -m kebabalab init-db
Write-Host "Ready. Start the server with .\deployment\start-windows.ps1"
