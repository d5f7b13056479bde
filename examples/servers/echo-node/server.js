#!/usr/bin/node
// server.js: echo-node, an example MCP server (JSON-RPC 2.0 over stdio).
//
// The MCP stdio transport: one JSON-RPC message per line on stdin, one per
// line on stdout, nothing else on stdout; diagnostics go to stderr.  One
// tool, "echo", returns its "text" argument.  Every request gets exactly one
// reply, a notification never gets one, malformed input gets the JSON-RPC
// error codes (-32700, -32600, -32601, -32602), and end of input is a clean
// exit (status 0).  Built-in modules only: the sandbox shows the server its
// bundle and the system's /usr, no node_modules from anywhere else.
'use strict';

const NAME = 'echo-node';
const PROTOCOL_VERSIONS = ['2025-06-18', '2025-03-26', '2024-11-05'];
const MAX_LINE = 4 * 1024 * 1024;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;

const ECHO_TOOL = {
  name: 'echo',
  description: 'Return the given text unchanged.',
  inputSchema: {
    type: 'object',
    properties: {
      text: { type: 'string', description: 'The text to echo back.' },
    },
    required: ['text'],
  },
};

class InvalidParams extends Error {}

function log(msg) {
  process.stderr.write(`${NAME}: ${msg}\n`);
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// MCP: a request id is a string or an integer, never null.
function validId(v) {
  return typeof v === 'string' || Number.isSafeInteger(v);
}

function error(id, code, message) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

function doInitialize(params, state) {
  if (!isObject(params)) {
    throw new InvalidParams('initialize: params must be an object');
  }
  const asked = params.protocolVersion;
  if (typeof asked !== 'string') {
    throw new InvalidParams('initialize: params.protocolVersion must be a string');
  }
  // The client's version if we speak it, else our newest one: the client
  // then decides whether it can continue.
  const chosen = PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0];
  return {
    protocolVersion: chosen,
    capabilities: { tools: { listChanged: false } },
    serverInfo: { name: NAME, version: state.version },
  };
}

function doToolsList(params) {
  if (params !== undefined && !isObject(params)) {
    throw new InvalidParams('tools/list: params must be an object');
  }
  return { tools: [ECHO_TOOL] };
}

function doToolsCall(params) {
  if (!isObject(params)) {
    throw new InvalidParams('tools/call: params must be an object');
  }
  if (typeof params.name !== 'string') {
    throw new InvalidParams('tools/call: params.name must be a string');
  }
  if (params.name !== 'echo') {
    throw new InvalidParams('tools/call: unknown tool');
  }
  const args = params.arguments;
  if (!isObject(args)) {
    throw new InvalidParams('tools/call: params.arguments must be an object');
  }
  if (typeof args.text !== 'string') {
    throw new InvalidParams('tools/call: arguments.text must be a string');
  }
  return { content: [{ type: 'text', text: args.text }], isError: false };
}

const METHODS = new Map([
  ['initialize', doInitialize],
  ['ping', () => ({})],
  ['tools/list', doToolsList],
  ['tools/call', doToolsCall],
]);

const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

// The reply to one line, or null when none is due.
function handle(raw, state) {
  let msg;
  try {
    // fatal: invalid UTF-8 is a parse error, not U+FFFD.
    msg = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    log('parse error');
    return error(null, PARSE_ERROR, 'Parse error');
  }
  if (Array.isArray(msg)) {
    // Batches were removed from MCP in 2025-06-18.
    return error(null, INVALID_REQUEST, 'Invalid Request: batches are not supported');
  }
  if (!isObject(msg)) {
    return error(null, INVALID_REQUEST, 'Invalid Request: not an object');
  }
  const hasId = own(msg, 'id');
  const method = own(msg, 'method') ? msg.method : undefined;
  if (method === undefined && hasId && (own(msg, 'result') || own(msg, 'error'))) {
    // A response: this server never sends requests, ignore it.
    log('ignoring an unsolicited response');
    return null;
  }
  if (msg.jsonrpc !== '2.0' || typeof method !== 'string' ||
      (hasId && !validId(msg.id))) {
    return error(hasId && validId(msg.id) ? msg.id : null, INVALID_REQUEST,
      'Invalid Request');
  }
  if (!hasId) {
    // A notification (notifications/initialized, .../cancelled): never
    // answered.
    return null;
  }
  if (!METHODS.has(method)) {
    return error(msg.id, METHOD_NOT_FOUND, 'Method not found');
  }
  try {
    const params = own(msg, 'params') ? msg.params : undefined;
    return { jsonrpc: '2.0', id: msg.id, result: METHODS.get(method)(params, state) };
  } catch (e) {
    if (e instanceof InvalidParams) {
      return error(msg.id, INVALID_PARAMS, e.message);
    }
    throw e;
  }
}

function usage(stream) {
  stream.write(`Usage: ${NAME} [--server-version VERSION]\n\n` +
    'An example MCP server on stdio with one tool, "echo".\n');
}

function main(argv) {
  const state = { version: '0.0.0' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--server-version' && i + 1 < argv.length) {
      state.version = argv[++i];
    } else if (argv[i] === '--help') {
      usage(process.stdout);
      return;
    } else {
      log(`unknown argument ${JSON.stringify(argv[i])}`);
      usage(process.stderr);
      process.exitCode = 2;
      return;
    }
  }

  // Replies are written in order; a failed write (the client went away)
  // ends the server with status 1.
  const send = (msg) => {
    process.stdout.write(JSON.stringify(msg) + '\n');
  };
  process.stdout.on('error', (e) => {
    log(`writing to stdout: ${e.message}`);
    process.exit(1);
  });

  let chunks = [];
  let size = 0;
  let skipping = false; // inside a line longer than MAX_LINE

  const line = (buf) => {
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    if (end === 0) return;
    const reply = handle(buf.subarray(0, end), state);
    if (reply !== null) send(reply);
  };

  process.stdin.on('data', (data) => {
    let start = 0;
    let nl;
    while ((nl = data.indexOf(0x0a, start)) !== -1) {
      if (skipping) {
        skipping = false;
      } else if (size + (nl - start) > MAX_LINE) {
        log(`message over ${MAX_LINE} bytes refused`);
        send(error(null, PARSE_ERROR, 'Parse error: message too long'));
      } else {
        chunks.push(data.subarray(start, nl));
        line(Buffer.concat(chunks));
      }
      chunks = [];
      size = 0;
      start = nl + 1;
    }
    if (start < data.length && !skipping) {
      // Bounded: a line longer than MAX_LINE is refused and skipped,
      // never buffered whole.
      if (size + (data.length - start) > MAX_LINE) {
        log(`message over ${MAX_LINE} bytes refused`);
        send(error(null, PARSE_ERROR, 'Parse error: message too long'));
        chunks = [];
        size = 0;
        skipping = true;
      } else {
        chunks.push(data.subarray(start));
        size += data.length - start;
      }
    }
  });
  process.stdin.on('end', () => {
    // A last line without its newline is still a message.
    if (!skipping && size > 0) line(Buffer.concat(chunks));
    process.exitCode = 0;
  });
  process.stdin.on('error', (e) => {
    log(`reading stdin: ${e.message}`);
    process.exit(1);
  });
}

main(process.argv.slice(2));
