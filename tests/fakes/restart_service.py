"""What `systemctl restart kebabalab` does for the tests of `kebabalab update`: stop the server this script
started last (SIGTERM, as systemd sends; gunicorn finishes its requests) and start
<root>/current/venv/bin/kebabalab serve, as the unit's ExecStart does, logging which release it started.

  python restart_service.py ROOT STATE_DIR
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

root, state = Path(sys.argv[1]), Path(sys.argv[2])
pid_file = state / "server.pid"
if pid_file.exists():
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(400):
            os.kill(pid, 0)
            time.sleep(0.05)
    except ProcessLookupError:
        pass
release = os.path.realpath(root / "current")
with open(state / "restarts.log", "a") as log:
    log.write(Path(release).name + "\n")
with open(state / "server.log", "ab") as out:
    server = subprocess.Popen([str(root / "current" / "venv" / "bin" / "kebabalab"), "serve"], cwd=state,
                              stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
pid_file.write_text(str(server.pid))
