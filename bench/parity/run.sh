#!/usr/bin/env bash
# LiteLLM parity check on loopback (never a real AWS host): the testkit mock answers both
# litellm 1.103.7's proxy and the gateway, each through its own capture proxy, and cmp.py
# compares requests and answers case by case. `run.sh --record` then rewrites
# crates/gateway/tests/fixtures/litellm_canned.recorded.json from the cases that match.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
cd "$root"
cargo build --release -q -p bedrock-gateway -p bedrock-testkit
if [ ! -x bench/.venv/bin/litellm ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet 'litellm[proxy]==1.103.7'
fi
work="$(mktemp -d)"
for side in l g; do
  port=$([ "$side" = l ] && echo 47201 || echo 47202)
  cat > "$work/cfg_$side.yaml" <<YAML
model_list:
  - model_name: "bedrock/*"
    litellm_params:
      model: "bedrock/*"
      aws_access_key_id: AKIDEXAMPLE
      aws_secret_access_key: secret
      aws_region_name: us-east-1
      aws_bedrock_runtime_endpoint: http://127.0.0.1:$port
YAML
done
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
target/release/mock-bedrock --port 47300 > "$work/mock.log" 2>&1 & pids+=($!)
cd "$here"
python3 cap.py 47201 http://127.0.0.1:47300 cap_l.jsonl > "$work/capl.log" 2>&1 & pids+=($!)
python3 cap.py 47202 http://127.0.0.1:47300 cap_g.jsonl > "$work/capg.log" 2>&1 & pids+=($!)
LITELLM_LOCAL_MODEL_COST_MAP=True "$root/bench/.venv/bin/litellm" --config "$work/cfg_l.yaml" --port 47211 > "$work/litellm.log" 2>&1 & pids+=($!)
"$root/target/release/bedrock-gateway" serve --config "$work/cfg_g.yaml" --port 47212 > "$work/gateway.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do
  curl -sf http://127.0.0.1:47211/health/liveliness > /dev/null 2>&1 && break
  sleep 1
done
for i in $(seq 1 11); do
  python3 cmp.py "cases$i.json" > "out$i.txt" 2>&1
done
echo "same: $(cat out*.txt | grep -c ' SAME$')  differ: $(cat out*.txt | grep -c ' DIFF$')"
grep -h ' DIFF$' out*.txt || true
if [ "${1:-}" = "--record" ]; then
  python3 record.py
fi
rm -f cap_l.jsonl cap_g.jsonl
