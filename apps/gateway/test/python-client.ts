import { execFile } from 'node:child_process';

/** What Python's client made of one POST: the status and body it read, or the exception it raised. */
export interface PythonAnswer {
  readonly client: 'urllib' | 'http.client chunked';
  readonly status: number;
  readonly body: string;
  readonly error: string | null;
}

// urllib sends `Connection: close` and the whole Content-Length body before it reads anything;
// http.client here sends a chunked body (64 KiB chunks) to its end, then reads.
const SCRIPT = String.raw`
import json, sys, urllib.request, urllib.error, http.client
url, port, path, size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
def out(client, status, body, error):
    print(json.dumps({"client": client, "status": status, "body": body, "error": error}), flush=True)
if mode == "urllib":
    try:
        req = urllib.request.Request(url, data=b" " * size, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            out("urllib", r.status, r.read().decode(), None)
    except urllib.error.HTTPError as e:
        out("urllib", e.code, e.read().decode(), None)
    except Exception as e:
        out("urllib", 0, "", repr(e))
else:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.putrequest("POST", path)
        c.putheader("Content-Type", "application/json")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
        for _ in range(size // 65536):
            c.send(chunk)
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        out("http.client chunked", r.status, r.read().decode(), None)
    except Exception as e:
        out("http.client chunked", 0, "", repr(e))
`;

/** POSTs `size` bytes of spaces to `path` from a python3 subprocess, with urllib (Content-Length) or http.client (chunked). */
export function pythonPost(port: number, path: string, size: number, mode: 'urllib' | 'chunked'): Promise<PythonAnswer> {
  const args = ['-c', SCRIPT, `http://127.0.0.1:${port}${path}`, String(port), path, String(size), mode];
  return new Promise((resolve, reject) => {
    execFile('python3', args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`python3 failed: ${String(error)}\n${stderr}`));
      resolve(JSON.parse(stdout.trim()) as PythonAnswer);
    });
  });
}
