"""The capacity ladder (bench/capacity.py) for several configurations in one run, taken in turn, round after
round, so each is compared with the others under the same noise of a shared machine.

    .venv/bin/python bench/capacity_compare.py --configs sqlite,postgres-redis:1,postgres-redis:2 \\
        --levels 300,400,500 --seconds 20 --rounds 2

A configuration is `sqlite` (one process) or `postgres-redis:<workers>`. Each round runs every configuration's
whole ladder (printed as bench/capacity.py prints it); the summary at the end gives, per configuration and
level, each round's CPU seconds per 1,000 tool calls over every server process, its ratio to the first
configuration's at that level in the same round, and whether the level was held; then each configuration's
highest level held, round by round.
"""
from __future__ import annotations

import argparse
import copy
import sys

from capacity import arguments, highest_held, ladder


def configuration(text: str) -> tuple[str, int]:
    """'sqlite' -> ('sqlite', 1); 'postgres-redis:2' -> ('postgres-redis', 2)."""
    engine, _, workers = text.strip().partition(":")
    if engine not in ("sqlite", "postgres-redis") or (workers and not workers.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r}: a configuration is sqlite or postgres-redis:<workers>")
    return engine, max(1, min(int(workers or 1), 16))


def label(config: tuple[str, int]) -> str:
    if config[0] == "sqlite":
        return "sqlite + memory, 1 process"
    return f"{config[0]}, {config[1]} worker{'s' if config[1] > 1 else ''}"


def summary(configs: list[tuple[str, int]], rounds: list[dict]) -> None:
    """rounds: one {config: results} per round."""
    first = configs[0]
    print(f"\n== summary: CPU s per 1000 tool calls (x {label(first)} at the same level in the same round), "
          "tool calls/s, texts sent, held")
    for config in configs:
        for level in range(len(rounds[0][config])):
            cells = []
            for done in rounds:
                result, base = done[config][level], done[first][level]
                ratio = result["cpu_per_1000"] / base["cpu_per_1000"] if base["cpu_per_1000"] else float("nan")
                cells.append(f"{result['cpu_per_1000']:.2f} (x{ratio:.2f}) {result['rate']:.0f}/s "
                             f"{result['texts']} texts {'held' if result['held'] else 'NOT held'}")
            print(f"{label(config):<30}{rounds[0][config][level]['calls']:>5} calls: " + " | ".join(cells))
    print("\nhighest level held, round by round:")
    for config in configs:
        print(f"{label(config):<30}" + ", ".join(str(highest_held(done[config])) for done in rounds))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", default="sqlite,postgres-redis:1,postgres-redis:2,postgres-redis:4",
                        help="comma-separated; the first is the one the others' CPU is compared with")
    parser.add_argument("--rounds", type=int, default=2, help="times every configuration runs, in turn")
    args = arguments(parser, argv)
    configs = list(dict.fromkeys(configuration(text) for text in args.configs.split(",")))
    rounds = []
    for number in range(1, max(1, min(args.rounds, 10)) + 1):
        done = {}
        for engine, workers in configs:
            print(f"\n#### round {number}: {label((engine, workers))}")
            run = copy.copy(args)
            run.engine, run.workers = engine, workers
            done[(engine, workers)] = ladder(run)[0]
        rounds.append(done)
    summary(configs, rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
