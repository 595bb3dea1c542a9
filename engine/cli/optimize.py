"""``hornq optimize``: start an optimisation study, which the engine then runs point by point.

The command only checks the study (ranges, objective, constraints, and the config at the ends of every range) and
writes it; the engine proposes, queues and scores the points, so the study goes on after the terminal closes.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.cli.common import Commands, add_no_start, maybe_start_engine, note, note_estimate, open_home, print_json


def register(commands: Commands) -> None:
    cmd = commands.add(
        "optimize",
        "search ranges of parameters for the design with the best metric (the engine queues each point it tries)",
        cmd_optimize,
        json=True,
    )
    cmd.add_argument("file", type=Path, help="the horn's config; its [study] may hold all of the options below")
    cmd.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=RANGE",
        help="a parameter to choose: a=30..60 (any value), R=100:160:10 (on steps), q=3,4 (one of); repeat",
    )
    cmd.add_argument(
        "--objective", metavar="EXPR", help="a metric key (bw_h_spread) or a sum like 0.7*bw_h_spread+0.3*z_ripple"
    )
    cmd.add_argument("--direction", choices=("minimize", "maximize"), help="default: what the metrics call better")
    cmd.add_argument("--trials", type=int, metavar="N", help="how many designs to try")
    cmd.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="EXPR",
        help="a limit every good design keeps, e.g. 'control_h_hz <= 900'; repeat",
    )
    cmd.add_argument(
        "--seed",
        type=int,
        help="seed of the sampler: the same points again when they run one at a time (with several in flight, the "
        "order they end in steers it too)",
    )
    cmd.add_argument("--study-name", help="name of the study (default: [study] name, the label or the file name)")
    cmd.add_argument("--label", help="label of the points' jobs, before their values")
    add_no_start(cmd)


def cmd_optimize(args: argparse.Namespace) -> int:
    from engine.config.job import read_config_file
    from engine.config.optimize import Options
    from engine.store import optimize

    options = Options(
        vary=args.vary,
        objective=args.objective,
        direction=args.direction,
        trials=args.trials,
        constraints=args.constraint,
        seed=args.seed,
        name=args.study_name,
    )
    path: Path = args.file
    plan = optimize.draft(
        read_config_file(path), path.resolve().parent, options, label=args.label, default_name=path.stem
    )
    home = open_home(args)
    study = optimize.create(plan)
    maybe_start_engine(home, args)
    goal = plan.search.goal
    if args.json:
        print_json(
            {
                "study": {
                    "id": study.id,
                    "name": study.name,
                    "mode": study.mode,
                    "parameters": [d.as_json() for d in plan.search.dimensions],
                    **goal.as_json(),
                }
            }
        )
        return 0
    ranges = " ".join(f"{d.name}={d.describe()}" for d in plan.search.dimensions)
    note(f"optimizing study {study.name!r} ({study.id[:8]}): {goal.direction} {goal.objective} over {ranges}")
    short = study.id[:8]  # a name may hold spaces or be shared; the id is what to type
    note(f"{goal.trials} trials; hornq study show {short} follows it, hornq study stop {short} ends it")
    print(study.id)
    from engine.store.estimates import optimization_estimate

    note_estimate(lambda: optimization_estimate(plan))
    return 0


def progress_line(found: dict[str, Any]) -> str:
    """``minimize bw_h_spread: 12/40 trials, 1 failed, best 3.21 (a=41.2 R=160) at R's high end``, as ``hornq
    studies`` lists it."""
    from engine.config.sweeps import label_for
    from engine.store.optimize import describe_ends

    line = f"{found['direction']} {found['objective']}: {found['told']}/{found['trials']} trials"
    if found["failed"]:
        line += f", {found['failed']} failed"
    best = found["best"]
    if best is not None:
        line += f", best {best['objective']:.4g} ({label_for(best['values'])})"
    if found["best_at_range_end"]:
        line += f" at {describe_ends(found['best_at_range_end'])}"
    if found["ended"]:
        line += f"; ended: {found['ended']}"
    return line


def show_lines(study: Any, found: dict[str, Any]) -> list[str]:
    """``hornq study show`` of an optimisation: its goal and best design, then every trial in the order tried."""
    from engine.config.sweeps import label_for
    from engine.store.optimize import describe_ends

    lines = [f"{study.name} ({study.id[:8]}, optimize): {progress_line(found)}"]
    if found["constraints"]:
        lines.append(f"  constraints: {'; '.join(found['constraints'])}")
    best = found["best"]
    if best is not None:
        job = f"job {best['job_id'][:8]}" if best["job_id"] else "its job was deleted"
        lines.append(f"  best: trial {best['trial']}, {job}, {label_for(best['values'])}")
    if found["best_at_range_end"]:
        lines.append(
            f"  the best design sits at {describe_ends(found['best_at_range_end'])}: a better one may lie beyond; "
            "a new study over wider ranges can tell"
        )
    for trial in found["history"]:
        score = "" if trial["objective"] is None else f"{trial['objective']:.4g}"
        job = (trial["job_id"] or "–")[:8]
        note_ = f"  {trial['message']}" if trial["message"] else ""
        lines.append(
            f"  {trial['trial']:>4}  {job:<8}  {trial['state']:<8}  {score:>9}  {label_for(trial['values'])}{note_}"
        )
    return lines
