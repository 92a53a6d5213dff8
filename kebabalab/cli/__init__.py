"""The commands of `kebabalab` / `python -m kebabalab`: serving, staff commands, doctor, update, the call simulator, vapi sync."""
