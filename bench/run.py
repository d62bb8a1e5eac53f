#!/usr/bin/env python3
"""Side-by-side load test: the same workload, in one run, through
(a) a plain hyper client straight to the testkit mock (the floor),
(h) `nullproxy`, a hyper forwarder doing no work at all, in front of the mock (the cost of the
    extra hop alone, for reference),
(b) bedrock-gateway in front of the mock,
(c) LiteLLM's proxy (from PyPI, in bench/.venv) in front of the same mock through
    aws_bedrock_runtime_endpoint,
non-streaming and streaming, at a fixed concurrency and at fixed rates; reports throughput,
p50/p99 latency and the latency each adds over the floor, time to first byte, peak RSS, and the
ratios. Writes bench/results.json and prints a Markdown table for docs/benchmarks.md.

The floor, the hop and the gateway run --repeat times, interleaved (floor, hop, gateway, floor,
…), and each figure is the median of the repeats: the machine's speed drifts by tens of percent
over minutes, and interleaving exposes all three to the same drift. LiteLLM runs once.

Usage: python3 bench/run.py [--duration 10] [--concurrency 50] [--rates 100,500,1000,2000,5000]
                            [--repeat 3] [--skip-litellm] [--litellm-max-rate 1000]
                            [--stream-max-rate 2000] [--out bench/results.json]
Everything runs on 127.0.0.1; nothing contacts AWS.
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LITELLM_VERSION = "1.103.7"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answered
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout}s")


class RssSampler:
    """Samples the resident set of a process tree every 50 ms; keeps the peak (KiB).

    Reads /proc only: spawning `ps` every 50 ms (as an earlier version did) forked and
    exec'd on the measured machine all through the run and put milliseconds on every
    target's p99. The tree is looked up once a second; a sample reads one file per process."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _tree(self):
        parent = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        # pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
                        parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        pids, frontier = {self.pid}, [self.pid]
        while frontier:
            p = frontier.pop()
            for c, pp in parent.items():
                if pp == p and c not in pids:
                    pids.add(c)
                    frontier.append(c)
        return pids

    @staticmethod
    def _rss(pids):
        total = 0
        for p in pids:
            try:
                with open(f"/proc/{p}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                            break
            except OSError:
                pass
        return total

    def _run(self):
        pids, looked = self._tree(), time.time()
        while not self._stop.is_set():
            if time.time() - looked > 1.0:
                pids, looked = self._tree(), time.time()
            self.peak = max(self.peak, self._rss(pids))
            time.sleep(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._t.join()


def build():
    subprocess.run(["cargo", "build", "--release", "-p", "bedrock-testkit", "-p", "bedrock-gateway",
                    "-p", "bedrock-bench", "--bins"], cwd=ROOT, check=True)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
    return (target / "mock-bedrock", target / "bedrock-gateway", target / "loadgen",
            target / "nullproxy")


def litellm_python():
    venv = BENCH / ".venv"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    try:
        subprocess.run([str(py), "-c", f"import litellm, importlib.metadata as m; "
                        f"assert m.version('litellm') == '{LITELLM_VERSION}'; import fastapi, uvicorn"],
                       check=True, capture_output=True)
    except subprocess.CalledProcessError:
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"litellm[proxy]=={LITELLM_VERSION}", "boto3"],
                       check=True)
    return venv / "bin" / "litellm"


def config_yaml(mock_url):
    return f"""model_list:
  - model_name: bench
    litellm_params:
      model: bedrock/{MODEL}
      aws_access_key_id: AKIDEXAMPLE
      aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
      aws_region_name: us-east-1
      aws_bedrock_runtime_endpoint: {mock_url}
"""


def run_load(loadgen, url, body, mode, args, headers=()):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(body, f)
        path = f.name
    cmd = [str(loadgen), "--url", url, "--body", path, "--duration", str(args.duration),
           "--warmup", str(args.warmup)]
    cmd += ["--concurrency", str(args.concurrency)] if mode == "c" else ["--rate", str(mode)]
    for h in headers:
        cmd += ["--header", h]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(path)
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--rates", default="100,500,1000,2000,5000")
    ap.add_argument("--stream-max-rate", type=float, default=2000,
                    help="skip streaming runs above this rate (the mock itself fails at 5000 "
                         "streams/s here: no target can be measured against a floor that breaks)")
    ap.add_argument("--litellm-max-rate", type=float, default=1000,
                    help="skip LiteLLM above this rate (it saturates near 70 req/s; every "
                         "request queued at a higher rate only lengthens the run)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-litellm", action="store_true")
    ap.add_argument("--out", default=str(BENCH / "results.json"),
                    help="where the results go (a concurrency-only run with more repeats, "
                         "--rates '' --repeat 9, can keep the full run's file)")
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r]

    mock_bin, gateway_bin, loadgen, nullproxy_bin = build()
    procs = []
    try:
        mock_port = free_port()
        mock = subprocess.Popen([str(mock_bin), "--port", str(mock_port)], stdout=subprocess.PIPE, text=True)
        procs.append(mock)
        mock_url = mock.stdout.readline().strip()
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="bedrock-bench-"))
        (workdir / "config.yaml").write_text(config_yaml(mock_url))

        hop_port = free_port()
        hop = subprocess.Popen([str(nullproxy_bin), "--port", str(hop_port), "--upstream", mock_url],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(hop)
        wait_http(f"http://127.0.0.1:{hop_port}/")

        gw_port = free_port()
        gw = subprocess.Popen([str(gateway_bin), "serve", "--config", str(workdir / "config.yaml"),
                               "--port", str(gw_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(gw)
        wait_http(f"http://127.0.0.1:{gw_port}/health/liveliness")

        targets = {}
        converse = {"messages": [{"role": "user", "content": [{"text": "Hello, how are you today?"}]}],
                    "inferenceConfig": {"maxTokens": 64}}
        openai = {"model": "bench", "messages": [{"role": "user", "content": "Hello, how are you today?"}],
                  "max_tokens": 64}
        path = "/model/" + MODEL.replace(":", "%3A")
        targets["floor"] = (None, {False: (f"{mock_url}{path}/converse", converse),
                                   True: (f"{mock_url}{path}/converse-stream", converse)})
        hop_url = f"http://127.0.0.1:{hop_port}"
        targets["hop"] = (hop.pid, {False: (f"{hop_url}{path}/converse", converse),
                                    True: (f"{hop_url}{path}/converse-stream", converse)})
        targets["gateway"] = (gw.pid, {False: (f"http://127.0.0.1:{gw_port}/v1/chat/completions", openai),
                                       True: (f"http://127.0.0.1:{gw_port}/v1/chat/completions",
                                              dict(openai, stream=True))})
        if not args.skip_litellm:
            litellm = litellm_python()
            ll_port = free_port()
            env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR")
            ll = subprocess.Popen([str(litellm), "--config", str(workdir / "config.yaml"), "--port", str(ll_port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(ll)
            wait_http(f"http://127.0.0.1:{ll_port}/health/liveliness", timeout=180)
            targets["litellm"] = (ll.pid, {False: (f"http://127.0.0.1:{ll_port}/v1/chat/completions", openai),
                                           True: (f"http://127.0.0.1:{ll_port}/v1/chat/completions",
                                                  dict(openai, stream=True))})

        results = []
        for stream in (False, True):
            for mode in ["c"] + rates:
                if stream and mode != "c" and mode > args.stream_max_rate:
                    continue
                runs = {}
                for rep in range(args.repeat):
                    for name, (pid, bodies) in targets.items():
                        if name == "litellm" and (rep > 0 or (mode != "c" and mode > args.litellm_max_rate)):
                            continue
                        url, body = bodies[stream]
                        # LiteLLM cannot keep up with the floor's rates; it still runs them, and
                        # the queueing shows in its latency.
                        with RssSampler(pid or mock.pid) as rss:
                            r = run_load(loadgen, url, body, mode, args)
                        r.update(target=name, stream=stream, peak_rss_mib=round(rss.peak / 1024, 1))
                        runs.setdefault(name, []).append(r)
                        print(json.dumps(r), flush=True)
                for name, rs in runs.items():
                    results.append(median_run(rs))
        pathlib.Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
        print_table(results)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def median_run(runs):
    """Each numeric figure is the median over the repeats (peak RSS: the highest)."""
    out = dict(runs[0])
    for k, v in runs[0].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            xs = sorted(r[k] for r in runs)
            out[k] = max(xs) if k == "peak_rss_mib" else xs[len(xs) // 2]
    out["repeats"] = len(runs)
    out["runs"] = [{k: r[k] for k in ("throughput_rps", "p50_ms", "p99_ms", "ttfb_p50_ms", "ttfb_p99_ms",
                                      "late_wakeups", "late_total_ms") if k in r} for r in runs]
    return out


def print_table(results):
    floor = {(r["stream"], r["mode"]): r for r in results if r["target"] == "floor"}
    print("\n| stream | load | target | req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | TTFB p50 ms "
          "| TTFB p99 ms | late wake-ups | errors | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        f = floor[(r["stream"], r["mode"])]
        print(f"| {'yes' if r['stream'] else 'no'} | {r['mode']} | {r['target']} | {r['throughput_rps']:.0f} | "
              f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['p50_ms'] - f['p50_ms']:.3f} | "
              f"{r['p99_ms'] - f['p99_ms']:.3f} | {r['ttfb_p50_ms']:.2f} | {r['ttfb_p99_ms']:.2f} | "
              f"{r.get('late_wakeups', '—')} | {r['errors']} | {r['peak_rss_mib']} |")
    for stream in (False, True):
        c = {r["target"]: r for r in results if r["stream"] == stream and r["mode"].startswith("concurrency")}
        if "gateway" in c:
            line = (f"\nconcurrency, stream={stream}: gateway/floor throughput = "
                    f"{c['gateway']['throughput_rps'] / c['floor']['throughput_rps']:.2f}")
            if "hop" in c:
                line += f"; hop/floor = {c['hop']['throughput_rps'] / c['floor']['throughput_rps']:.2f}"
            if "litellm" in c and c["litellm"]["throughput_rps"] > 0:
                line += f"; gateway/LiteLLM = {c['gateway']['throughput_rps'] / c['litellm']['throughput_rps']:.1f}x"
            # Paired: each repeat's gateway against the floor measured just before it (same
            # machine phase), then the median of those ratios.
            paired = sorted(g["throughput_rps"] / f["throughput_rps"]
                            for g, f in zip(c["gateway"]["runs"], c["floor"]["runs"]))
            line += (f"; per repeat {' / '.join(f'{x:.2f}' for x in paired)}, "
                     f"median {paired[len(paired) // 2]:.2f}")
            print(line)
    for stream in (False, True):
        for r in results:
            if r["target"] != "gateway" or r["stream"] != stream or not r["mode"].startswith("rate"):
                continue
            f = next(x for x in results if x["target"] == "floor" and x["stream"] == stream
                     and x["mode"] == r["mode"])
            added = sorted(g["p99_ms"] - fl["p99_ms"] for g, fl in zip(r["runs"], f["runs"]))
            print(f"{r['mode']}, stream={stream}: gateway p99 added per repeat "
                  f"{' / '.join(f'{x:.2f}' for x in added)} ms, median {added[len(added) // 2]:.2f} ms")


if __name__ == "__main__":
    main()
