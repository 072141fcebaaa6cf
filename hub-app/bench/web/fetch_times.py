"""GETs one URL N times over one kept-alive connection and prints each request's seconds as JSON.
The same client runs inside the sandbox (direct) and on the host (through the Hub), so only the path differs.

    python3 fetch_times.py URL COUNT [COOKIE]
"""
import http.client
import json
import sys
import time
import urllib.parse

url = urllib.parse.urlsplit(sys.argv[1])
count = int(sys.argv[2])
headers = {"cookie": sys.argv[3]} if len(sys.argv) > 3 else {}
path = url.path + ("?" + url.query if url.query else "")
connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
times = []
size = 0
for _ in range(count):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
    times.append(time.perf_counter() - started)
    if response.status != 200:
        sys.exit(f"GET {sys.argv[1]} answered {response.status}")
print(json.dumps({"bytes": size, "seconds": times}))
