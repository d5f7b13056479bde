// sdk-client.mjs: a small MCP client written with the official TypeScript
// SDK's stdio transport, the way Claude Desktop, VS Code or an agent start
// a server: a command line, a minimal inherited environment, JSON-RPC on
// the child's stdin and stdout.
//
// Usage: node sdk-client.mjs SDK-DIR SCENARIO [ARG...] -- COMMAND [ARGS...]
//
// SDK-DIR is an `npm install` tree holding @modelcontextprotocol/sdk.
// SCENARIO says which requests to make after initialize and tools/list:
//   echo TEXT          tools/call echo {text: TEXT}
//   memory NAME        create_entities NAME, then search_nodes and read_graph
//   hold               print {"pid": the child's pid} and wait, for a test
//                      that kills this client (the watchdog ends it at 60 s)
//   filesystem DIR [PROBE...]
//                      as a client that offers the roots DIR and / (so the
//                      server's own path check lets everything through and
//                      only the sandbox stands in the way):
//                      list_allowed_directories, list_directory DIR,
//                      write_file then read_text_file DIR/written.txt, then
//                      for each PROBE list_directory (PROBE ending in /) or
//                      read_text_file, as probe0, probe1...
// The client prints one JSON object on stdout: {server, tools, calls,
// errors} (errors: what the transport could not parse, and other
// protocol errors outside a request),
// each call as {ok, text} (text: the concatenated text content, or the
// error message), and exits 0 when the session itself worked (tool
// errors are results, not failures); a protocol or transport failure is
// one line on stderr and exit 1.  The test asserts on the object with jq.
// Every request has a 20 s timeout; the whole client has 60 s.

import { pathToFileURL } from 'node:url';
import path from 'node:path';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
if (dash < 2 || dash === argv.length - 1) {
	process.stderr.write('usage: node sdk-client.mjs SDK-DIR SCENARIO [ARG...] -- COMMAND [ARGS...]\n');
	process.exit(2);
}
const [sdkDir, scenario, ...scenarioArgs] = argv.slice(0, dash);
const [command, ...args] = argv.slice(dash + 1);

const sdk = (p) => import(pathToFileURL(path.join(sdkDir,
	'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);
const { Client } = await sdk('client/index.js');
const { StdioClientTransport } = await sdk('client/stdio.js');
const { ListRootsRequestSchema } = await sdk('types.js');

const fail = (msg) => {
	process.stderr.write(`sdk-client: ${msg}\n`);
	process.exit(1);
};
const watchdog = setTimeout(() => fail('no result in 60 s'), 60000);

const roots = scenario === 'filesystem' ? [scenarioArgs[0], '/'] : [];
const client = new Client({ name: 'mcp-tools-sdk-client', version: '1.0.0' },
	{ capabilities: roots.length ? { roots: { listChanged: false } } : {} });
if (roots.length) {
	client.setRequestHandler(ListRootsRequestSchema, async () => ({
		roots: roots.map((r) => ({ uri: pathToFileURL(r).href, name: r })),
	}));
}

// stderr: 'inherit', as clients do: the run's diagnostics reach the
// test's log.  env: the SDK's default inherited set, plus what the test
// exports for the stages under test (MCP_*) and the variables named in
// SDK_CLIENT_ENV (comma-separated), as a client's "env" setting would.
const env = {};
const extra = (process.env.SDK_CLIENT_ENV || '').split(',').filter(Boolean);
for (const [k, v] of Object.entries(process.env))
	if (k.startsWith('MCP_') || extra.includes(k)) env[k] = v;
const transport = new StdioClientTransport({ command, args, env, stderr: 'inherit' });

// Anything on the server's stdout that is not JSON-RPC (a banner, a
// progress line, a stage document) is reported here by the transport.
const errors = [];
client.onerror = (e) => errors.push(String(e.message || e));

const opts = { timeout: 20000 };
const text = (r) => (r.content || []).filter((c) => c.type === 'text')
	.map((c) => c.text).join('\n');
const calls = {};
async function call(key, name, a) {
	try {
		const r = await client.callTool({ name, arguments: a }, undefined, opts);
		calls[key] = { ok: !r.isError, text: text(r) };
	} catch (e) {
		calls[key] = { ok: false, text: String(e.message || e) };
	}
}

try {
	await client.connect(transport, opts);
} catch (e) {
	fail(`initialize failed: ${e.message || e}`);
}
let tools;
try {
	tools = (await client.listTools(undefined, opts)).tools.map((t) => t.name).sort();
} catch (e) {
	fail(`tools/list failed: ${e.message || e}`);
}

switch (scenario) {
case 'hold':
	process.stdout.write(JSON.stringify({ pid: transport.pid, tools }) + '\n');
	await new Promise(() => {});
	break;
case 'echo':
	await call('echo', 'echo', { text: scenarioArgs[0] ?? '' });
	break;
case 'memory': {
	const name = scenarioArgs[0] ?? 'mcp-tools';
	await call('create', 'create_entities', { entities: [{
		name, entityType: 'project', observations: ['written by sdk-client'],
	}] });
	await call('search', 'search_nodes', { query: name });
	await call('graph', 'read_graph', {});
	break;
}
case 'filesystem': {
	const [dir, ...probes] = scenarioArgs;
	// The server asks for the roots after initialize and applies them
	// when the answer arrives: wait (5 s at most) until it has.
	for (let i = 0; i < 50; i++) {
		await call('allowed', 'list_allowed_directories', {});
		if (calls.allowed.ok && calls.allowed.text.split('\n').includes('/'))
			break;
		await new Promise((r) => setTimeout(r, 100));
	}
	await call('list', 'list_directory', { path: dir });
	await call('write', 'write_file', { path: path.join(dir, 'written.txt'), content: 'written by sdk-client\n' });
	await call('read', 'read_text_file', { path: path.join(dir, 'written.txt') });
	for (const [i, p] of probes.entries()) {
		if (p.endsWith('/'))
			await call(`probe${i}`, 'list_directory', { path: p });
		else
			await call(`probe${i}`, 'read_text_file', { path: p });
		calls[`probe${i}`].path = p;
	}
	break;
}
default:
	fail(`unknown scenario ${scenario}`);
}

const server = client.getServerVersion();
await client.close();
clearTimeout(watchdog);
process.stdout.write(JSON.stringify({ server, tools, calls, errors }) + '\n');
