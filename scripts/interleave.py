#!/usr/bin/env python3
"""Times shell commands interleaved: A, B, C, A, B, C, … so that the drift of a shared
machine (other tenants, CPU frequency, cache state) falls on every command alike, where
hyperfine times all runs of one command, then all runs of the next.

Usage: interleave.py RUNS NAME=COMMAND [NAME=COMMAND …]
Each COMMAND runs as `sh -c COMMAND` (write `exec …` to replace the shell), spawned the same
way for all, stdout to /dev/null. Prints one json object: for each name its mean and median in ms, and both as a
ratio to the first command's. A command that exits non-zero is timed all the same.
"""
import json
import os
import statistics
import sys
import time


# stdout goes to /dev/null, as hyperfine sends it; stderr stays.
QUIET = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]


def run(cmd):
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", cmd], os.environ, file_actions=QUIET)
    os.waitpid(pid, 0)


def main():
    runs = int(sys.argv[1])
    named = [a.split("=", 1) for a in sys.argv[2:]]
    times = {n: [] for n, _ in named}
    for i in range(runs + max(5, runs // 10)):
        for n, cmd in named:
            t = time.perf_counter()
            run(cmd)
            if i >= max(5, runs // 10):  # warm-up rounds are not counted
                times[n].append((time.perf_counter() - t) * 1000)
    first = named[0][0]
    base_mean = statistics.fmean(times[first])
    base_median = statistics.median(times[first])
    out = {}
    for n, _ in named:
        mean, median = statistics.fmean(times[n]), statistics.median(times[n])
        out[n] = {
            "mean_ms": round(mean, 3),
            "median_ms": round(median, 3),
            "mean_ratio": round(mean / base_mean, 3),
            "median_ratio": round(median / base_median, 3),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
