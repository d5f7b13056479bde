#!/usr/bin/python3
# mcp-client.py: a small, strict MCP client for the stdio transport.
#
# Usage: mcp-client.py [OPTIONS] -- CMD [ARGS...]
#
# Spawns CMD, and talks MCP to it over its stdin and stdout the way a real
# client does: initialize (checking the negotiated version, capabilities
# and serverInfo), notifications/initialized, tools/list (checking that
# "echo" is listed with its input schema), tools/call echo (checking that
# the text comes back unchanged), optionally the error cases, then closes
# the server's stdin and checks that it exits 0 within the timeout.
#
# Every reply is printed on stdout as one line of JSON, exactly as the
# server sent it; -v also shows the exchange on stderr.  Any deviation from
# the protocol (a line that is not JSON, a reply with the wrong id, a
# missing member, output after end of input, a hang, a bad exit status) is
# an error: one line on stderr and status 1.  Status 2 is a usage error.
# Standard library only.

import argparse
import json
import os
import selectors
import signal
import subprocess
import sys
import time

PROG = "mcp-client.py"
PROTOCOL_VERSIONS = ("2025-06-18", "2025-03-26", "2024-11-05")
# Unicode, quotes, a tab and a newline: the server must escape, not split.
DEFAULT_TEXT = 'h\u00e9llo, w\u00f6rld \u2713 "quoted"\ttab\nsecond line'


class ProtocolError(Exception):
    pass


def fail(msg):
    raise ProtocolError(msg)


def shorten(raw, n=200):
    s = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    s = s.encode("unicode_escape").decode("ascii")
    return s if len(s) <= n else s[:n] + "..."


class Session:
    def __init__(self, argv, timeout, verbose):
        self.timeout = timeout
        self.verbose = verbose
        self.buf = b""
        self.eof = False
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                bufsize=0, close_fds=True)
        except OSError as e:
            raise ProtocolError("cannot run %s: %s" % (argv[0], e.strerror))
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)

    def show(self, arrow, text):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (arrow, text))
            sys.stderr.flush()

    def send(self, msg, label=None):
        data = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
        self.show("\u2192", label or data)
        self.write_raw(data.encode("utf-8") + b"\n")

    def write_raw(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            fail("the server closed its standard input")

    def read_line(self, deadline, what):
        """The next line from the server, or None at end of file."""
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl], self.buf[nl + 1:]
                return line
            if self.eof:
                if self.buf:
                    line, self.buf = self.buf, b""
                    fail("the server's last line has no newline: %s"
                         % shorten(line))
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                fail("no %s within %g s" % (what, self.timeout))
            for _key, _ev in self.sel.select(left):
                try:
                    chunk = os.read(self.proc.stdout.fileno(), 65536)
                except BlockingIOError:
                    continue
                if chunk:
                    self.buf += chunk
                else:
                    self.eof = True

    def parse(self, line):
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            fail("the server wrote invalid UTF-8: %s" % shorten(line))
        try:
            msg = json.loads(text, parse_constant=reject_constant)
        except ValueError:
            fail("the server wrote a line that is not JSON: %s" % shorten(line))
        if not isinstance(msg, dict):
            fail("the server wrote JSON that is not an object: %s" % shorten(line))
        if msg.get("jsonrpc") != "2.0":
            fail("message without \"jsonrpc\": \"2.0\": %s" % shorten(line))
        return text, msg

    def answer_server_request(self, msg):
        # A client must answer the server's requests too; ping is the only
        # one a client without capabilities supports.
        if msg["method"] == "ping":
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": {}})
        else:
            self.send({"jsonrpc": "2.0", "id": msg["id"],
                       "error": {"code": -32601, "message": "Method not found"}})

    def reply(self, req_id, what):
        """Wait for the response to REQ_ID (None: a response with id null)."""
        deadline = time.monotonic() + self.timeout
        while True:
            line = self.read_line(deadline, "reply to " + what)
            if line is None:
                fail("the server closed its output before answering %s" % what)
            if not line.strip():
                fail("the server wrote an empty line")
            text, msg = self.parse(line)
            if "method" in msg:
                if not isinstance(msg["method"], str):
                    fail("message with a non-string method: %s" % shorten(text))
                if "id" in msg:
                    self.show("\u2190", "request " + text)
                    self.answer_server_request(msg)
                else:
                    self.show("\u2190", "notification " + text)
                continue
            self.show("\u2190", text)
            if "id" not in msg:
                fail("response without an id: %s" % shorten(text))
            if ("result" in msg) == ("error" in msg):
                fail("a response has exactly one of result and error: %s"
                     % shorten(text))
            rid = msg["id"]
            if type(rid) is not type(req_id) or rid != req_id:
                fail("reply to %s has id %s, expected %s" % (
                    what, json.dumps(rid), json.dumps(req_id)))
            if "error" in msg:
                err = msg["error"]
                if (not isinstance(err, dict) or not is_int(err.get("code"))
                        or not isinstance(err.get("message"), str)):
                    fail("malformed error object: %s" % shorten(text))
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
            return msg

    def close(self):
        """Close the server's input; it must exit with no more output."""
        self.show("\u2192", "(end of input)")
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + self.timeout
        line = self.read_line(deadline, "end of output after end of input")
        if line is not None:
            fail("output after end of input: %s" % shorten(line))
        left = max(deadline - time.monotonic(), 0.01)
        try:
            return self.proc.wait(left)
        except subprocess.TimeoutExpired:
            fail("the server did not exit within %g s of end of input"
                 % self.timeout)

    def kill(self):
        if self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 2), (signal.SIGKILL, 5)):
            try:
                self.proc.send_signal(sig)
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
            except OSError:
                return


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def result_of(msg, what):
    if "error" in msg:
        fail("%s failed: error %s: %s" % (what, msg["error"]["code"],
                                          shorten(msg["error"]["message"])))
    if not isinstance(msg["result"], dict):
        fail("%s: result is not an object" % what)
    return msg["result"]


def expect_error(msg, code, what):
    if "error" not in msg:
        fail("%s: expected error %d, got a result" % (what, code))
    if msg["error"]["code"] != code:
        fail("%s: expected error %d, got %s" % (what, code, msg["error"]["code"]))


def check_initialize(res, args):
    pv = res.get("protocolVersion")
    if not isinstance(pv, str):
        fail("initialize: result.protocolVersion is not a string")
    if pv != args.protocol_version and pv not in PROTOCOL_VERSIONS:
        fail("initialize: the server answered protocol version %s, which "
             "this client does not speak" % shorten(pv))
    if args.protocol_version in PROTOCOL_VERSIONS and pv != args.protocol_version:
        fail("initialize: asked for %s, which the server should speak, got %s"
             % (args.protocol_version, shorten(pv)))
    caps = res.get("capabilities")
    if not isinstance(caps, dict):
        fail("initialize: result.capabilities is not an object")
    if not isinstance(caps.get("tools"), dict):
        fail("initialize: the server does not declare the tools capability")
    info = res.get("serverInfo")
    if (not isinstance(info, dict) or not isinstance(info.get("name"), str)
            or not isinstance(info.get("version"), str)):
        fail("initialize: result.serverInfo needs string name and version")
    if args.expect_name is not None and info["name"] != args.expect_name:
        fail("initialize: server name %s, expected %s"
             % (shorten(info["name"]), args.expect_name))
    if args.expect_version is not None and info["version"] != args.expect_version:
        fail("initialize: server version %s, expected %s"
             % (shorten(info["version"]), args.expect_version))


def check_tools(res):
    tools = res.get("tools")
    if not isinstance(tools, list):
        fail("tools/list: result.tools is not an array")
    for t in tools:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            fail("tools/list: a tool without a string name")
    echo = [t for t in tools if t["name"] == "echo"]
    if len(echo) != 1:
        fail("tools/list: \"echo\" is listed %d times" % len(echo))
    schema = echo[0].get("inputSchema")
    if not isinstance(schema, dict) or schema.get("type") != "object":
        fail("tools/list: echo's inputSchema is not an object schema")
    props = schema.get("properties")
    if not isinstance(props, dict) or not isinstance(props.get("text"), dict) \
            or props["text"].get("type") != "string":
        fail("tools/list: echo's inputSchema has no string property \"text\"")
    if "text" not in (schema.get("required") or []):
        fail("tools/list: echo's inputSchema does not require \"text\"")


def check_call(res, text):
    content = res.get("content")
    if res.get("isError") is not False:
        fail("tools/call: isError is not false")
    if not isinstance(content, list) or len(content) != 1:
        fail("tools/call: content is not an array of one item")
    item = content[0]
    if not isinstance(item, dict) or item.get("type") != "text":
        fail("tools/call: content[0] is not a text item")
    if item.get("text") != text:
        fail("tools/call: echoed %s, sent %s"
             % (shorten(str(item.get("text"))), shorten(text)))


def session(args):
    s = Session(args.command, args.timeout, args.verbose)
    try:
        s.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": args.protocol_version,
                           "capabilities": {},
                           "clientInfo": {"name": PROG, "version": "1"}}},
               "initialize")
        check_initialize(result_of(s.reply(1, "initialize"), "initialize"), args)
        s.send({"jsonrpc": "2.0", "method": "notifications/initialized"},
               "notifications/initialized")

        s.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, "tools/list")
        check_tools(result_of(s.reply(2, "tools/list"), "tools/list"))

        s.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": "echo", "arguments": {"text": args.text}}},
               "tools/call echo")
        check_call(result_of(s.reply(3, "tools/call"), "tools/call"), args.text)

        if args.errors:
            # The error cases, each answered and the session still alive.
            s.send({"jsonrpc": "2.0", "id": "ping-1", "method": "ping"}, "ping")
            if result_of(s.reply("ping-1", "ping"), "ping") != {}:
                fail("ping: result is not {}")
            s.send({"jsonrpc": "2.0", "id": 4, "method": "no/such/method"},
                   "no/such/method")
            expect_error(s.reply(4, "no/such/method"), -32601, "unknown method")
            s.show("\u2192", "(a line that is not JSON)")
            s.write_raw(b'{"jsonrpc": "2.0", "id": 5, "method": \n')
            expect_error(s.reply(None, "invalid JSON"), -32700, "invalid JSON")
            s.send({"jsonrpc": "2.0", "id": 6, "method": "tools/call",
                    "params": {"name": "no-such-tool", "arguments": {}}},
                   "tools/call no-such-tool")
            expect_error(s.reply(6, "tools/call no-such-tool"), -32602,
                         "unknown tool")
            s.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                    "params": {"name": "echo", "arguments": {"text": 42}}},
                   "tools/call echo with a number")
            expect_error(s.reply(7, "tools/call echo with a number"), -32602,
                         "invalid arguments")
            s.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                    "params": {"requestId": 99}}, "notifications/cancelled")
            s.send({"jsonrpc": "2.0", "id": 8, "method": "ping"}, "ping")
            if result_of(s.reply(8, "ping"), "ping") != {}:
                fail("ping: result is not {}")

        status = s.close()
        if status != args.expect_exit:
            if status < 0:
                fail("the server died of signal %d" % -status)
            fail("the server exited with status %d, expected %d"
                 % (status, args.expect_exit))
    finally:
        s.kill()


def main():
    ap = argparse.ArgumentParser(
        prog=PROG,
        usage="%(prog)s [OPTIONS] -- CMD [ARGS...]",
        description="Drive an MCP server on stdio through initialize, "
                    "tools/list and tools/call echo, strictly.")
    ap.add_argument("--timeout", type=float, default=30.0, metavar="S",
                    help="seconds to wait for each reply and for the exit "
                         "(default 30)")
    ap.add_argument("--text", default=DEFAULT_TEXT,
                    help="the text to echo (default: Unicode, quotes, a tab "
                         "and a newline)")
    ap.add_argument("--protocol-version", default=PROTOCOL_VERSIONS[0],
                    metavar="V", help="the version to ask for (default %s)"
                    % PROTOCOL_VERSIONS[0])
    ap.add_argument("--expect-name", metavar="NAME",
                    help="serverInfo.name must be NAME")
    ap.add_argument("--expect-version", metavar="V",
                    help="serverInfo.version must be V")
    ap.add_argument("--expect-exit", type=int, default=0, metavar="N",
                    help="the server's exit status after end of input "
                         "(default 0)")
    ap.add_argument("--errors", action="store_true",
                    help="also check ping and the errors -32601, -32700 "
                         "and -32602")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the exchange on stderr")
    ap.add_argument("command", nargs=argparse.REMAINDER,
                    help="the server's command line, after --")
    args = ap.parse_args()
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        ap.error("no server command (give it after --)")
    if not args.timeout > 0:
        ap.error("--timeout must be positive")
    # A server that dies must not kill us with SIGPIPE: we report it.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        session(args)
    except ProtocolError as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
