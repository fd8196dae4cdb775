"""The raw WSGI baseline of bench.request_floor: the least any request through gunicorn costs."""

BODY = b"hello\n"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
