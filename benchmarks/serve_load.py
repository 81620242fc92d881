"""Load test of `swapnlp serve` on loopback: concurrent clients against a bag-of-embeddings archive.

Starts `swapnlp serve` in its own process, then runs N concurrent clients (asyncio, one keep-alive HTTP/1.1
connection each) that POST movie reviews from data/movie_review/dev.tsv to /predict as fast as they get
answers, for a fixed time. Reports requests/s, p50/p99 latency and errors, and the in-process predictor's
batch throughput on the same reviews (predict_batch_json, batches of N), measured in the same run just
before and just after the load test (their mean is the reference).

On a machine shared with other work, wall-clock rates swing with the load; the table therefore also gives
the rates per CPU-second used (the server process's user+system time from /proc, the in-process loop's
process_time), which compare the server's cost per request with the predictor's own, whatever the load.

    python benchmarks/serve_load.py                      # 16 clients for 30 s (+ 1 and 4 clients for 5 s)
    python benchmarks/serve_load.py --archive runs/boe/model.tar.gz --clients 16 --seconds 30

Without --archive it trains configs/bag_of_embeddings.jsonnet for 3 epochs into runs/serve-bench (reused).
Server and baseline both use `--threads` torch threads (default 1; the clients need the other core), and
both call gc.freeze() once the model is loaded (the baseline without it is printed too). The machine
(benchmarks/machine.py, its peaks measured with `--threads` threads) is printed first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

ROOT = Path(__file__).resolve().parents[1]


def ensure_archive(path: str) -> Path:
    if path:
        return Path(path)
    run = ROOT / "runs" / "serve-bench"
    if not (run / "model.tar.gz").exists():
        overrides = json.dumps({"trainer.num_epochs": 3, "trainer.enable_progress_bar": False})
        subprocess.run([sys.executable, "-m", "swapnlp.commands.main", "train", "configs/bag_of_embeddings.jsonnet",
                        "-s", str(run), "-o", overrides, "--force"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return run / "model.tar.gz"


def load_texts() -> List[str]:
    dev = ROOT / "data" / "movie_review" / "dev.tsv"
    if not dev.exists():
        raise SystemExit("data/movie_review is missing: run `swapnlp data fetch movie_review` first")
    return [line.split("\t")[0] for line in dev.read_text("utf-8").splitlines() if line.strip()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process_throughput(archive: Path, texts: List[str], batch_size: int, seconds: float,
                          threads: int, freeze: bool = True) -> Tuple[float, float]:
    """(reviews per second, reviews per CPU-second) through Predictor.predict_batch_json, batches of
    `batch_size`, no HTTP. `freeze`: gc.freeze() after loading, as `swapnlp serve` does."""
    import gc

    import torch

    from swapnlp.predictors import Predictor

    torch.set_num_threads(threads)
    predictor = Predictor.from_path(archive)
    gc.unfreeze()  # freezing is for the whole process: start each measurement from the same state
    if freeze:
        gc.collect()
        gc.freeze()
    predictor.predict_batch_json([{"sentence": text} for text in texts[:batch_size]])  # warm-up
    done, start, cpu, index = 0, time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - start < seconds:
        batch = [{"sentence": texts[(index + i) % len(texts)]} for i in range(batch_size)]
        predictor.predict_batch_json(batch)
        index, done = index + batch_size, done + batch_size
    return done / (time.perf_counter() - start), done / (time.process_time() - cpu)


async def client(port: int, bodies: List[bytes], offset: int, stop_at: float,
                 latencies: List[float], errors: List[str]) -> None:
    """One keep-alive connection sending POST /predict until `stop_at`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = offset
    try:
        while time.perf_counter() < stop_at:
            body = bodies[index % len(bodies)]
            index += 1
            started = time.perf_counter()
            writer.write(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            answer = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200") or b'"label"' not in answer:
                errors.append(head.split(b"\r\n")[0].decode() + " " + answer[:200].decode(errors="replace"))
    except (OSError, asyncio.IncompleteReadError) as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        writer.close()


async def load(port: int, bodies: List[bytes], clients: int, seconds: float) -> Tuple[List[float], List[str], float]:
    latencies: List[float] = []
    errors: List[str] = []
    start = time.perf_counter()
    await asyncio.gather(*(client(port, bodies, i * 7, start + seconds, latencies, errors) for i in range(clients)))
    return latencies, errors, time.perf_counter() - start


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--archive", default="")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--ramp", type=int, nargs="*", default=[1, 4], help="shorter runs with fewer clients")
    parser.add_argument("--ramp-seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(describe_machine(threads=args.threads)["summary"], flush=True)
    archive = ensure_archive(args.archive)
    texts = load_texts()
    bodies = [json.dumps({"sentence": text}).encode() for text in texts]

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    server = subprocess.Popen([sys.executable, "-m", "swapnlp.commands.main", "serve", "--archive-path", str(archive),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        asyncio.run(load(port, bodies, 4, 2))  # warm-up
        before = in_process_throughput(archive, texts, args.clients, 5, args.threads)
        rows = []
        for clients, seconds in [*((c, args.ramp_seconds) for c in args.ramp), (args.clients, args.seconds)]:
            cpu = cpu_seconds(server.pid)
            latencies, errors, elapsed = asyncio.run(load(port, bodies, clients, seconds))
            cpu = cpu_seconds(server.pid) - cpu
            rows.append((clients, seconds, len(latencies), len(errors), len(latencies) / elapsed,
                         statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000,
                         len(latencies) / cpu))
            if errors:
                print("errors:", errors[:3], file=sys.stderr)
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).read())
    finally:
        server.terminate()
        server.wait(30)
    after = in_process_throughput(archive, texts, args.clients, 5, args.threads)
    single = in_process_throughput(archive, texts, 1, 5, args.threads)  # for comparison: no batching at all
    unfrozen = in_process_throughput(archive, texts, args.clients, 5, args.threads, freeze=False)
    reference, reference_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    print(f"in-process predict_batch_json, batches of {args.clients}: {before[0]:.0f} / {after[0]:.0f} reviews/s "
          f"(before / after the load test), mean {reference:.0f}; per CPU-second {reference_cpu:.0f}")
    print(f"in-process predict_batch_json, one review per call: {single[0]:.0f} reviews/s; per CPU-second "
          f"{single[1]:.0f}")
    print(f"in-process predict_batch_json, batches of {args.clients}, without gc.freeze(): {unfrozen[0]:.0f} "
          f"reviews/s; per CPU-second {unfrozen[1]:.0f}")
    print(f"server micro-batches: {health['batches']} predictor calls for {health['items']} reviews "
          f"(mean {health['items'] / max(1, health['batches']):.1f}, largest {health['largest_batch']})")
    print("| clients | seconds | requests | errors | requests/s | p50 latency | p99 latency | vs in-process "
          "| requests per server CPU-s | vs in-process per CPU-s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for clients, seconds, count, errors, rate, p50, p99, per_cpu in rows:
        print(f"| {clients} | {seconds:.0f} | {count} | {errors} | {rate:.0f} | {p50:.1f} ms | {p99:.1f} ms | "
              f"{rate / reference:.2f}x | {per_cpu:.0f} | {per_cpu / reference_cpu:.2f}x |")


if __name__ == "__main__":
    main()
