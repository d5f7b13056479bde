#!/usr/bin/python3
# server.py: echo-python, an example MCP server (JSON-RPC 2.0 over stdio).
#
# The MCP stdio transport: one JSON-RPC message per line on stdin, one per
# line on stdout, nothing else on stdout; diagnostics go to stderr.  One
# tool, "echo", returns its "text" argument.  Every request gets exactly one
# reply, a notification never gets one, malformed input gets the JSON-RPC
# error codes (-32700, -32600, -32601, -32602), and end of input is a clean
# exit (status 0).  Standard library only: the sandbox shows the server its
# bundle and the system's /usr, nothing installed by pip.

import json
import sys

NAME = "echo-python"
PROTOCOL_VERSIONS = ("2025-06-18", "2025-03-26", "2024-11-05")
MAX_LINE = 4 * 1024 * 1024

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602

ECHO_TOOL = {
    "name": "echo",
    "description": "Return the given text unchanged.",
    "inputSchema": {
        "type": "object",
        "properties": {
            "text": {"type": "string", "description": "The text to echo back."}
        },
        "required": ["text"],
    },
}


class InvalidParams(Exception):
    pass


def log(msg):
    sys.stderr.write("%s: %s\n" % (NAME, msg))
    sys.stderr.flush()


def send(out, msg):
    # Compact separators and JSON escaping: the line holds no raw newline.
    line = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
    out.write(line.encode("utf-8") + b"\n")
    out.flush()


def error(msg_id, code, message):
    return {"jsonrpc": "2.0", "id": msg_id,
            "error": {"code": code, "message": message}}


def reject_constant(name):
    # NaN and Infinity are not JSON (RFC 8259); Python accepts them.
    raise ValueError("%s is not JSON" % name)


def valid_id(value):
    # MCP: a request id is a string or an integer (bool is not an integer
    # in JSON even though it is one in Python), never null.
    return isinstance(value, str) or (
        isinstance(value, int) and not isinstance(value, bool))


def do_initialize(params, state):
    if not isinstance(params, dict):
        raise InvalidParams("initialize: params must be an object")
    asked = params.get("protocolVersion")
    if not isinstance(asked, str):
        raise InvalidParams("initialize: params.protocolVersion must be a string")
    # The client's version if we speak it, else our newest one: the client
    # then decides whether it can continue.
    chosen = asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]
    return {"protocolVersion": chosen,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": NAME, "version": state["version"]}}


def do_tools_list(params, state):
    if params is not None and not isinstance(params, dict):
        raise InvalidParams("tools/list: params must be an object")
    return {"tools": [ECHO_TOOL]}


def do_tools_call(params, state):
    if not isinstance(params, dict):
        raise InvalidParams("tools/call: params must be an object")
    name = params.get("name")
    if not isinstance(name, str):
        raise InvalidParams("tools/call: params.name must be a string")
    if name != "echo":
        raise InvalidParams("tools/call: unknown tool")
    args = params.get("arguments")
    if not isinstance(args, dict):
        raise InvalidParams("tools/call: params.arguments must be an object")
    text = args.get("text")
    if not isinstance(text, str):
        raise InvalidParams("tools/call: arguments.text must be a string")
    return {"content": [{"type": "text", "text": text}], "isError": False}


METHODS = {
    "initialize": do_initialize,
    "ping": lambda params, state: {},
    "tools/list": do_tools_list,
    "tools/call": do_tools_call,
}


def handle(raw, state):
    """Return the reply to one line, or None when none is due."""
    try:
        msg = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        log("parse error")
        return error(None, PARSE_ERROR, "Parse error")
    if isinstance(msg, list):
        # Batches were removed from MCP in 2025-06-18.
        return error(None, INVALID_REQUEST,
                     "Invalid Request: batches are not supported")
    if not isinstance(msg, dict):
        return error(None, INVALID_REQUEST, "Invalid Request: not an object")
    has_id = "id" in msg
    msg_id = msg.get("id")
    method = msg.get("method")
    if method is None and has_id and ("result" in msg or "error" in msg):
        # A response: this server never sends requests, ignore it.
        log("ignoring an unsolicited response")
        return None
    if (msg.get("jsonrpc") != "2.0" or not isinstance(method, str)
            or (has_id and not valid_id(msg_id))):
        return error(msg_id if has_id and valid_id(msg_id) else None,
                     INVALID_REQUEST, "Invalid Request")
    if not has_id:
        # A notification (notifications/initialized, .../cancelled): never
        # answered.
        return None
    func = METHODS.get(method)
    if func is None:
        return error(msg_id, METHOD_NOT_FOUND, "Method not found")
    try:
        result = func(msg.get("params"), state)
    except InvalidParams as e:
        return error(msg_id, INVALID_PARAMS, str(e))
    return {"jsonrpc": "2.0", "id": msg_id, "result": result}


def usage(f):
    f.write("Usage: %s [--server-version VERSION]\n\n"
            "An example MCP server on stdio with one tool, \"echo\".\n" % NAME)


def main(argv):
    state = {"version": "0.0.0"}
    i = 1
    while i < len(argv):
        if argv[i] == "--server-version" and i + 1 < len(argv):
            state["version"] = argv[i + 1]
            i += 2
        elif argv[i] == "--help":
            usage(sys.stdout)
            return 0
        else:
            log("unknown argument %r" % argv[i])
            usage(sys.stderr)
            return 2

    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    try:
        while True:
            # Bounded: a line longer than MAX_LINE is refused and skipped,
            # never buffered whole.
            line = inp.readline(MAX_LINE + 1)
            if not line:
                return 0
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):
                    line = inp.readline(MAX_LINE + 1)
                log("message over %d bytes refused" % MAX_LINE)
                send(out, error(None, PARSE_ERROR,
                                "Parse error: message too long"))
                continue
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            reply = handle(line, state)
            if reply is not None:
                send(out, reply)
    except (BrokenPipeError, OSError) as e:
        log("I/O error: %s" % e.strerror if e.strerror else "I/O error")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
