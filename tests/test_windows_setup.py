"""Windows: what setup-windows.ps1, update.ps1 and start-windows.ps1 ask of `kebabalab`, run here (PowerShell
cannot run on this machine, so the scripts stay thin and these tests hold what they call and how they fail)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kebabalab import __version__
from kebabalab.__main__ import build_parser, main
from kebabalab.config import Settings
from kebabalab.cli.update import release_name

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = {name: (ROOT / "deployment" / name).read_text(encoding="utf-8")
           for name in ("setup-windows.ps1", "update.ps1", "start-windows.ps1", "deploy-my-assistant.ps1")}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project folder's examples, as setup-windows.ps1 runs from it."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / ".env.production.example").write_text(
        (ROOT / "config" / ".env.production.example").read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def windows_env(project, capsys) -> str:
    assert main(["setup-env", "--target", str(project / "Kebabalab" / ".env"),
                 "--state-dir", r"C:\Kebabalab\state", "--config-dir", r"C:\Kebabalab\shop",
                 "--log-file", r"C:\Kebabalab\logs\kebabalab.log"]) == 0
    return (project / "Kebabalab" / ".env").read_text()


def test_setup_env_writes_the_production_example_with_this_machines_folders(project, capsys):
    text = windows_env(project, capsys)
    example = project / "config" / ".env.production.example"
    assert capsys.readouterr().out == (f"Created {project}/Kebabalab/.env from {example}: "
                                       "fill in the empty secrets (VAPI_WEBHOOK_SECRET, TWILIO_*, SHOP_ORDER_TO, "
                                       "STAFF_PASSWORD, METRICS_TOKEN).\n")
    settings = Settings.from_env(dict(re.findall(r"^(\w+)=(.*)$", text, re.M)))
    assert (settings.database_url, settings.menu_file, settings.hours_file, settings.business_file,
            settings.backup_dir, settings.log_file, settings.proxy_hops, settings.allow_unauthenticated) == (
        "sqlite:///C:/Kebabalab/state/kebabalab.db", "C:/Kebabalab/shop/menu.json", "C:/Kebabalab/shop/hours.json",
        "C:/Kebabalab/shop/business.json", "C:/Kebabalab/state/backups", "C:/Kebabalab/logs/kebabalab.log", 1, False)
    assert "/var/lib" not in text and "/etc/kebabalab" not in text and "\\" not in text


def test_setup_env_never_overwrites_the_shops_settings(project, capsys):
    windows_env(project, capsys)
    target = project / "Kebabalab" / ".env"
    target.write_text("VAPI_WEBHOOK_SECRET=the-shop-s-own\n")
    capsys.readouterr()
    assert main(["setup-env", "--target", str(target), "--state-dir", "C:/K/state", "--config-dir", "C:/K/shop"]) == 0
    assert capsys.readouterr().out == f"{target} already exists: kept as it is (it holds the shop's settings).\n"
    assert target.read_text() == "VAPI_WEBHOOK_SECRET=the-shop-s-own\n"


def test_setup_env_prefers_the_deployment_example_where_there_is_one(project, capsys):
    (project / "deployment").mkdir()
    (project / "deployment" / "kebabalab.env.example").write_text("PROXY_HOPS=1\nLOG_FILE=\n")
    assert main(["setup-env", "--target", str(project / "k.env"), "--state-dir", "D:/state", "--config-dir", "D:/shop",
                 "--log-file", "D:/logs/k.log"]) == 0
    assert (project / "k.env").read_text() == "PROXY_HOPS=1\nLOG_FILE=D:/logs/k.log\n"


def test_setup_env_outside_the_project_folder_says_where_to_run_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["setup-env", "--target", "k.env", "--state-dir", "s", "--config-dir", "c"]) == 2
    assert capsys.readouterr().err == ("configuration error: no production settings example in "
                                       f"{tmp_path} (deployment/kebabalab.env.example or "
                                       "config/.env.production.example): run this from the project folder\n")


def test_setup_installs_the_project_folder_it_runs_from_as_a_release_named_by_its_version():
    assert release_name(str(ROOT)) == __version__


def kebabalab_calls(script: str) -> list[list[str]]:
    """Each `& $Kebabalab <command> ...` / `& $Exe` line's words, PowerShell variables as placeholders."""
    calls = []
    for line in script.splitlines():
        found = re.match(r'\s*(?:try \{ )?& \$Kebabalab (.*?)(;|$)', line)
        if found:
            calls.append(re.findall(r'"[^"]*"|\S+', found.group(1)))
    return calls


@pytest.mark.parametrize("name", ["setup-windows.ps1", "update.ps1", "deploy-my-assistant.ps1"])
def test_every_kebabalab_command_the_scripts_run_exists_with_those_options(name):
    calls = kebabalab_calls(SCRIPTS[name])
    assert calls, "no kebabalab command found"
    for words in calls:
        args = [w.strip('"') for w in words if not w.startswith("@")]
        args = ["X" if "$" in w else w for w in args]
        build_parser().parse_args(args)  # SystemExit (argparse's refusal) fails the test


def test_the_tasks_run_the_commands_that_exist():
    script = SCRIPTS["setup-windows.ps1"]
    commands = re.findall(r'New-ScheduledTaskAction -Execute \$Exe -Argument "(\w+)"', script)
    assert commands == ["serve", "backup"]
    assert '$Exe = "$Root\\current\\venv\\Scripts\\kebabalab.exe"' in script
    for command in commands:
        build_parser().parse_args([command])


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_step_that_can_fail_stops_the_script(name):
    script = SCRIPTS[name]
    assert '$ErrorActionPreference = "Stop"' in script
    lines = script.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\s*(?:if \(.*\) \{ |try \{ )?& ", line):  # a program, not a cmdlet: no exception on failure
            rest = line + (lines[number + 1] if number + 1 < len(lines) else "")
            assert "$LASTEXITCODE" in rest or "Check " in rest, f"{name}: {line.strip()}"


def test_setup_checks_python_mentions_the_execution_policy_and_explains_proxy_hops():
    script = SCRIPTS["setup-windows.ps1"]
    assert "sys.version_info >= (3, 11)" in script
    assert "Set-ExecutionPolicy -Scope Process -ExecutionPolicy Bypass" in script
    assert "PROXY_HOPS=1" in script and "lock out the shop's tablets" in script
    assert "#Requires -RunAsAdministrator" in script and "#Requires -RunAsAdministrator" in SCRIPTS["update.ps1"]
    assert script.count("-RestartCount 255") == 1  # Task Scheduler's most (an unsigned byte)
    assert "-ExecutionTimeLimit ([TimeSpan]::Zero)" in script  # else stopped after 3 days
    assert script.index('Write-Host "Ready') > script.index("& $Kebabalab update $Project")  # said only at the end
