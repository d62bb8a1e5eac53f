"""A capture proxy: records each Bedrock request (path, headers, body) to a JSONL file and
forwards it to the mock. Usage: cap.py PORT UPSTREAM_URL OUT.jsonl"""
import json, sys, http.server, urllib.request, threading
port, upstream, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        n = int(self.headers.get("content-length", 0)); raw = self.rfile.read(n)
        try: body = json.loads(raw)
        except Exception: body = raw.decode("latin1")
        hdrs = {k.lower(): v for k, v in self.headers.items() if k.lower() not in ("authorization", "x-amz-date", "content-length", "host", "user-agent", "accept-encoding", "connection", "accept", "x-amz-content-sha256", "amz-sdk-invocation-id", "amz-sdk-request")}
        with lock:
            with open(out, "a") as f: f.write(json.dumps({"path": self.path, "headers": hdrs, "body": body}) + "\n")
        req = urllib.request.Request(upstream + self.path, data=raw, method="POST", headers={"content-type": self.headers.get("content-type", "application/json")})
        try:
            r = urllib.request.urlopen(req); status, data, hs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, data, hs = e.code, e.read(), e.headers
        self.send_response(status)
        for k, v in hs.items():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server", "keep-alive"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(data))); self.end_headers(); self.wfile.write(data)
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
