// A client written by others for quiltq mcp: the reference TypeScript SDK
// (@modelcontextprotocol/sdk) starts `quiltq mcp --sandbox` over stdio,
// lists its tools, and calls athena_query (as the sandbox's admin, then as
// its analyst) and explain_error. It prints one JSON object on stdout for
// the Go test (cmd/quiltq/mcp_test.go) to check.
//
// usage: node client.mjs QUILTQ_BINARY
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const bin = process.argv[2];
if (!bin) {
  console.error("usage: node client.mjs QUILTQ_BINARY");
  process.exit(2);
}

async function connect(user) {
  const transport = new StdioClientTransport({
    command: bin,
    args: ["mcp", "--sandbox", "--sandbox-user", user],
    env: process.env,
    stderr: "inherit",
  });
  const client = new Client({ name: "quiltq-ts-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const sql = "SELECT count(*) AS n FROM sales.orders";
const out = {};

const admin = await connect("admin");
out.tools = (await admin.listTools()).tools.map((t) => t.name);
const a = await admin.callTool({ name: "athena_query", arguments: { sql } });
out.admin = { isError: a.isError ?? false, structured: a.structuredContent, text: a.content?.[0]?.text };
const e = await admin.callTool({
  name: "explain_error",
  arguments: {
    text: "An error occurred (AccessDeniedException) when calling the GetDatabases operation: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetDatabases action",
  },
});
out.explain = { isError: e.isError ?? false, structured: e.structuredContent };
await admin.close();

const analyst = await connect("analyst");
await analyst.listTools(); // the SDK checks structured content against the output schemas it lists
const r = await analyst.callTool({ name: "athena_query", arguments: { sql } });
out.analyst = { isError: r.isError ?? false, structured: r.structuredContent };
await analyst.close();

process.stdout.write(JSON.stringify(out) + "\n");
