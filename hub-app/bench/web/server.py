"""The app the proxy benchmark serves: the standard library's file server with HTTP/1.1 keep-alive
(http.server answers HTTP/1.0 and closes each connection unless told otherwise), so both the direct and
the proxied figures are per request, not per TCP handshake."""
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, the body waits for the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
