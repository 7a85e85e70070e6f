"""N threads searching in a loop against BASE until killed; prints the number of searches done on SIGTERM."""
import json, signal, sys, threading, time, urllib.parse, urllib.request

base, n = sys.argv[1], int(sys.argv[2])
done = [0]
queries = ['{} |= "seq"', '{host="127.0.0.1"} |= "x"', '{} |~ "[0-9]{5}$"', '{app="prg00000"}']

def loop(q):
    while True:
        try:
            url = f"{base}/api/v1/query_range?" + urllib.parse.urlencode(dict(query=q, start="0", limit="100"))
            urllib.request.urlopen(url, timeout=60).read()
            done[0] += 1
        except Exception:
            time.sleep(0.05)

for i in range(n):
    threading.Thread(target=loop, args=(queries[i % len(queries)],), daemon=True).start()

def stop(*_):
    print(f"{done[0]} searches done")
    sys.stdout.flush()
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(1)
