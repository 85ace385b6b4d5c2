"""What Odoo 16.0-19.0 make of the forwarding headers, without Odoo: werkzeug's own WSGI server
(which Odoo's HTTP workers subclass without touching make_environ) and the same ProxyFix call as
odoo/http.py in --proxy-mode:

    if odoo.tools.config['proxy_mode'] and environ.get("HTTP_X_FORWARDED_HOST"):
        ProxyFix(fake_app)(environ, fake_start_response)   # ProxyFix(x_for=1, x_proto=1, x_host=1)

Answers every request with the address, host and scheme Odoo would then see, as JSON. Listens on
127.0.0.1 at a free port, which it prints on the first line of standard output. Test helper.
"""

import json
import sys
from importlib import metadata

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler, make_server


def app(environ, start_response):
    proxy_fixed = bool(environ.get("HTTP_X_FORWARDED_HOST"))
    if proxy_fixed:
        ProxyFix(lambda _environ, _start: [], x_for=1, x_proto=1, x_host=1)(environ, lambda *_: None)
    body = json.dumps(
        {
            "remote_addr": environ.get("REMOTE_ADDR"),
            "host": environ.get("HTTP_HOST"),
            "scheme": environ.get("wsgi.url_scheme"),
            "proxy_fixed": proxy_fixed,
            "x_forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "werkzeug": metadata.version("werkzeug"),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
print(server.server_port, flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
