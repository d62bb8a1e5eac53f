"""Send each case to LiteLLM's proxy (:47211) and the gateway (:47212); compare the Bedrock
requests each made (captured by cap.py) and the answers. Usage: cmp.py cases.json [name ...]"""
import json, urllib.request, sys, os, time
def call(port, body):
    body = dict(body); path = body.pop("_path", None) or ("/v1/chat/completions" if "input" not in body else "/v1/embeddings")
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json", "authorization": "Bearer sk-1"})
    try:
        r = urllib.request.urlopen(req, timeout=60); return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
IGN = {"id", "created", "system_fingerprint", "x-amz-security-token"}
def norm(x):
    if isinstance(x, dict): return {k: norm(v) for k, v in x.items() if k not in IGN}
    if isinstance(x, list): return [norm(v) for v in x]
    return x
def diff(a, b, path=""):
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a: out.append(f"{path}.{k}: only ours = {json.dumps(b[k])[:200]}")
            elif k not in b: out.append(f"{path}.{k}: only litellm = {json.dumps(a[k])[:200]}")
            else: out += diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b): out.append(f"{path}: len litellm {len(a)} ours {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)): out += diff(x, y, f"{path}[{i}]")
    elif a != b: out.append(f"{path}: litellm {json.dumps(a)[:200]} ours {json.dumps(b)[:200]}")
    return out
def parse(s, stream):
    if not stream: return json.loads(s)
    return [json.loads(l[6:]) for l in s.split("\n") if l.startswith("data: ") and l[6:].strip() != "[DONE]"]
def caps(f):
    if not os.path.exists(f): return []
    return [json.loads(l) for l in open(f)]
cases = json.load(open(sys.argv[1]))
only = sys.argv[2:]
for c in cases:
    if only and c["name"] not in only: continue
    body = c["body"]; stream = body.get("stream", False)
    for f in ("cap_l.jsonl", "cap_g.jsonl"):
        if os.path.exists(f): os.remove(f)
    rs = [call(p, body) for p in (47211, 47212)]
    time.sleep(0.05)
    cl, cg = caps("cap_l.jsonl"), caps("cap_g.jsonl")
    d = []
    if len(cl) != len(cg): d.append(f"REQCOUNT litellm {len(cl)} ours {len(cg)}")
    for x, y in zip(cl, cg): d += ["REQ" + s for s in diff(norm(x), norm(y))]
    if rs[0][0] != rs[1][0]: d.append(f"STATUS litellm {rs[0][0]} ours {rs[1][0]} :: {rs[0][1][:400]} :: {rs[1][1][:400]}")
    else:
        sse = stream and rs[0][0] == 200  # an error answers a stream request with JSON
        try: d += ["RESP" + s for s in diff(norm(parse(rs[0][1], sse)), norm(parse(rs[1][1], sse)))]
        except Exception as e: d.append(f"PARSE {e} {rs[0][1][:300]} {rs[1][1][:300]}")
    print(c["name"], rs[0][0], "SAME" if not d else "DIFF")
    for x in d[:30]: print("   ", x)
    if os.environ.get("V"):
        print(json.dumps(cl, indent=1)[:3000]); print(json.dumps(cg, indent=1)[:3000]); print(rs[0][1][:2000]); print(rs[1][1][:2000])
