"""F5 at small scale: a server under ulimit -n 1024, 2,000 trickling connections from 4 addresses,
a probe a second. Args: GENSERVE_BODY_TIMEOUT_S (120), probe seconds (12)."""
import os, socket, subprocess, sys, time, tempfile
import httpx
port = 8791
os.makedirs("/tmp/connqa", exist_ok=True)
env = {**os.environ, "GENSERVE_WEIGHTS_DIR": "weights", "GENSERVE_DATA_DIR": tempfile.mkdtemp(),
       "GENSERVE_DEVICE": "cpu", "GENSERVE_EMBEDDED_WORKER": "false", "GENSERVE_LOG_LEVEL": "WARNING",
       "GENSERVE_BODY_TIMEOUT_S": sys.argv[1] if len(sys.argv) > 1 else "120"}
log = open("/tmp/connqa/server.log", "wb")
server = subprocess.Popen(["bash", "-c", f"ulimit -n 1024; exec .venv/bin/python -m uvicorn app.main:app --host 127.0.0.1 --port {port} --http app.server:HttpToolsProtocol --loop asyncio"], env=env, stdout=log, stderr=subprocess.STDOUT)
try:
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200: break
        except httpx.TransportError: pass
        time.sleep(0.2)
    socks, refused = [], 0
    for source in ("127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8"):
        for _ in range(500):
            s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
            s.sendall(b"POST /sample HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
            socks.append(s)
    time.sleep(1)
    alive = []
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(200)
            refused += 1; s.close()
        except BlockingIOError:
            alive.append(s)
        except OSError:
            refused += 1; s.close()
    print(f"opened {len(socks)} from 4 addresses; refused {refused}; held {len(alive)}")
    t_end = time.monotonic() + float(sys.argv[2] if len(sys.argv) > 2 else 12)
    ok = fail = 0
    while time.monotonic() < t_end:
        for s in alive:
            try: s.send(b" ")
            except OSError: pass
        try:
            r = httpx.post(f"http://127.0.0.1:{port}/sample", json={"model": "digits-vae", "n": 1}, timeout=5)
            ok += r.status_code == 200; fail += r.status_code != 200
        except httpx.TransportError: fail += 1
        time.sleep(1)
    print(f"probes ok {ok} failed {fail}")
finally:
    server.terminate(); server.wait()
print("EMFILE in log:", b"Too many open files" in open("/tmp/connqa/server.log", "rb").read())
