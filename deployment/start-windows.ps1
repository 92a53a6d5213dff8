# Start Kebabalab Orders on Windows (waitress). Settings come from .env in the project folder.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
& .venv\Scripts\python.exe -m kebabalab serve
