// Stand-in for Prisma's native `schema-engine` executable, built on @prisma/schema-engine-wasm.
// Speaks the engine's JSON-RPC 2.0 over stdin/stdout (one JSON object per line); logs go to stderr
// as JSON lines ({level, fields:{message}}) the way the Prisma CLI expects them.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import { loadSchemaEngineWasm } from "./load-wasm.mjs";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- argument parsing
function parseArgs(argv) {
  const out = { datamodels: [], datasource: null, previewFeatures: [], cli: null, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = () => argv[++i];
    if (a === "--version" || a === "-V") out.version = true;
    else if (a === "--help" || a === "-h") out.help = true;
    else if (a === "-d" || a === "--datamodels") out.datamodels.push(take());
    else if (a.startsWith("--datamodels=")) out.datamodels.push(a.slice(13));
    else if (a === "--datasource") out.datasource = JSON.parse(take());
    else if (a.startsWith("--datasource=")) out.datasource = JSON.parse(a.slice(13));
    else if (a === "--enabled-preview-features") out.previewFeatures = take().split(",");
    else if (a === "--extension-types") take();
    else if (a === "cli") out.cli = argv.slice(i + 1);
    if (out.cli) break;
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));

function log(level, message, extra = {}) {
  process.stderr.write(
    JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...extra }, target: "schema_engine::logger" }) + "\n",
  );
}

// ---------------------------------------------------------------- --version
if (args.help) {
  process.stdout.write("schema-engine (wasm shim). Usage: schema-engine [--datamodels <path>]... [--datasource <json>] | --version | cli <create-database|drop-database|can-connect-to-database>\n");
  process.exit(0);
}

const { runtime, packageVersion } = await loadSchemaEngineWasm();
const engineHash = runtime.version();

if (args.version) {
  // The native binary prints "schema-engine-cli <commit hash>".
  process.stdout.write(`schema-engine-cli ${engineHash}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- database helpers
function connectionUrl() {
  const url = args.datasource?.url ?? process.env.DATABASE_URL;
  return url || null;
}

function assertPostgres(url) {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw userError(`The wasm schema-engine shim only supports PostgreSQL URLs (got ${url.split(":")[0]}:)`, "P1013");
  }
}

function adminTarget(url) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres";
  const admin = new URL(url);
  admin.pathname = "/postgres";
  return { database, adminUrl: admin.toString() };
}

async function withPg(url, fn) {
  const pg = require("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const quoteIdent = (s) => '"' + String(s).replace(/"/g, '""') + '"';

async function createDatabase(url) {
  const { database, adminUrl } = adminTarget(url);
  await withPg(adminUrl, async (c) => {
    const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE ${quoteIdent(database)}`);
  });
  return database;
}

async function dropDatabase(url) {
  const { database, adminUrl } = adminTarget(url);
  await withPg(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`));
  return database;
}

function userError(message, code, meta = {}) {
  const e = new Error(message);
  e.userFacing = { error_code: code, message, meta };
  return e;
}

// @prisma/adapter-pg has no mapping for Postgres's internal single-byte "char" type (OID 18) or its
// array (OID 1002), which the engine's own pg_catalog introspection queries return. Relabel them as
// text / text[] before the adapter maps column types.
function relabelCharColumns(queryable) {
  if (typeof queryable?.performIO === "function") {
    const perform = queryable.performIO.bind(queryable);
    queryable.performIO = async (...a) => {
      const result = await perform(...a);
      for (const field of result?.fields ?? []) {
        if (field.dataTypeID === 18) field.dataTypeID = 25;
        if (field.dataTypeID === 1002) field.dataTypeID = 1009;
      }
      return result;
    };
  }
  // adapter-pg's executeScript splits the script on every ";", which breaks dollar-quoted function
  // bodies (triggers). PostgreSQL's simple-query protocol runs a whole multi-statement script.
  if (typeof queryable?.executeScript === "function" && typeof queryable?.underlyingDriver === "function") {
    queryable.executeScript = async (script) => {
      await queryable.underlyingDriver().query(script);
    };
  }
  if (typeof queryable?.startTransaction === "function") {
    const start = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...a) => relabelCharColumns(await start(...a));
  }
  return queryable;
}

function pgAdapterOptions(url) {
  try {
    const schema = new URL(url).searchParams.get("schema");
    return schema ? { schema } : undefined;
  } catch {
    return undefined;
  }
}

const createdShadowDbs = new Set();
async function dropShadowDb(mainUrl, name) {
  await withPg(mainUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`));
  });
  createdShadowDbs.delete(name);
}

function makeAdapterFactory() {
  const url = connectionUrl();
  const { PrismaPg } = require("@prisma/adapter-pg");
  const { bindMigrationAwareSqlAdapterFactory } = require("@prisma/driver-adapter-utils");
  if (!url) throw userError("This command needs a database: set `datasource.url` in prisma.config.ts (PostgreSQL).", "P1012");
  assertPostgres(url);
  const factory = new PrismaPg({ connectionString: url }, pgAdapterOptions(url));
  const connect = factory.connect.bind(factory);
  factory.connect = async () => relabelCharColumns(await connect());
  const shadowUrl = args.datasource?.shadowDatabaseUrl ?? process.env.SHADOW_DATABASE_URL;
  if (shadowUrl) {
    // Configured shadow database: wipe it (the native engine resets it too) and connect.
    assertPostgres(shadowUrl);
    factory.connectToShadowDb = async () => {
      await withPg(shadowUrl, async (c) => {
        const r = await c.query(
          "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog','information_schema','pg_toast') AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'",
        );
        for (const { nspname } of r.rows) await c.query(`DROP SCHEMA ${quoteIdent(nspname)} CASCADE`);
        await c.query("CREATE SCHEMA IF NOT EXISTS public");
      });
      return relabelCharColumns(await new PrismaPg({ connectionString: shadowUrl }, pgAdapterOptions(shadowUrl)).connect());
    };
  } else {
    // Temporary shadow database on the main server, dropped when the engine releases it.
    // (adapter-pg's own connectToShadowDb is NOT used: with a connectionString config its pool
    // ignores the `database` override and would run the migrations on the MAIN database.)
    factory.connectToShadowDb = async () => {
      const name = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
      if (process.env.PRISMA_SHIM_DEBUG) log("INFO", `shim: creating shadow database ${name}`);
      await withPg(url, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
      createdShadowDbs.add(name);
      const u = new URL(url);
      u.pathname = "/" + encodeURIComponent(name);
      const adapter = relabelCharColumns(await new PrismaPg({ connectionString: u.toString() }, pgAdapterOptions(url)).connect());
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose().catch(() => {});
        await dropShadowDb(url, name);
      };
      return adapter;
    };
  }
  return bindMigrationAwareSqlAdapterFactory(factory);
}

// Offline adapter: lets the engine start without a database, for diffs between schema files /
// empty. The engine's only start-up query asks for the server version; everything else fails.
function makeOfflineAdapterFactory() {
  const { bindMigrationAwareSqlAdapterFactory } = require("@prisma/driver-adapter-utils");
  const versionNum = Number(process.env.PRISMA_SHIM_PG_VERSION_NUM ?? 160000);
  const versionStr = `PostgreSQL ${Math.floor(versionNum / 10000)}.${versionNum % 100} (schema-engine wasm shim, offline)`;
  const offline = () => {
    throw new Error("This operation needs a database, but the schema-engine shim was started in offline mode (diff between schema files).");
  };
  const adapter = {
    provider: "postgres",
    adapterName: "schema-engine-shim-offline",
    async queryRaw(q) {
      if (/server_version_num/.test(q.sql)) {
        return { columnNames: ["exists", "version", "numeric_version"], columnTypes: [5, 7, 0], rows: [[true, versionStr, versionNum]] };
      }
      offline();
    },
    async executeRaw() { offline(); },
    async executeScript() { offline(); },
    async startTransaction() { offline(); },
    getConnectionInfo() { return { schemaName: undefined, supportsRelationJoins: true }; },
    async dispose() {},
  };
  return bindMigrationAwareSqlAdapterFactory({
    provider: "postgres",
    adapterName: "schema-engine-shim-offline",
    async connect() { return adapter; },
    async connectToShadowDb() { offline(); },
  });
}

// ---------------------------------------------------------------- `cli` subcommands
if (args.cli) {
  const [command] = args.cli;
  const url = connectionUrl();
  // The CLI drops the first stderr line and parses the rest as JSON log lines.
  log("INFO", `Starting schema-engine-wasm shim (cli ${command})`, { git_hash: engineHash });
  try {
    if (!url) throw new Error("No datasource URL given (--datasource)");
    assertPostgres(url);
    if (command === "create-database") {
      const db = await createDatabase(url);
      log("INFO", `Database '${db}' was successfully created.`, { database_name: db });
    } else if (command === "drop-database") {
      const db = await dropDatabase(url);
      log("INFO", `The database '${db}' was successfully dropped.`);
    } else if (command === "can-connect-to-database") {
      await withPg(url, (c) => c.query("SELECT 1"));
      log("INFO", "Connection successful");
    } else {
      throw new Error(`Unknown cli command: ${command}`);
    }
    process.exit(0);
  } catch (e) {
    let where = "";
    try {
      const u = new URL(url);
      where = ` on the database server at \`${u.hostname}:${u.port || 5432}\``;
    } catch {}
    const db = (() => { try { return adminTarget(url).database; } catch { return "?"; } })();
    if (e.code === "3D000") log("ERROR", `Database \`${db}\` does not exist${where}`, { error_code: "P1003" });
    else if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND") log("ERROR", `Can't reach database server${where.replace(" on the database server", "")}`, { error_code: "P1001" });
    else if (e.code === "28P01" || e.code === "28000") log("ERROR", `Authentication failed against database server${where}`, { error_code: "P1000" });
    else log("ERROR", e.message, { error_code: "P1000" });
    process.exit(1);
  }
}

// ---------------------------------------------------------------- JSON-RPC server
const datamodels = args.datamodels.map((p) => [p, fs.readFileSync(path.resolve(p), "utf8")]);
const engines = {};
function logCallback(msg) {
  // The wasm engine calls back with log lines (JSON strings or plain text).
  try {
    const parsed = typeof msg === "string" ? JSON.parse(msg) : msg;
    if (parsed && parsed.fields) return void process.stderr.write(JSON.stringify(parsed) + "\n");
  } catch {}
  log("INFO", String(msg));
}
// A fresh engine instance per request: the wasm engine can hand out its shadow-database factory
// only once per instance (e.g. `migrate dev` = applyMigrations then evaluateDataLoss would fail with
// "PostgreSQL shadow DB must be provided through an external factory"). The previous instance is
// freed when the next request starts.
let currentRequestEngines = [];
async function releaseEngines() {
  const list = currentRequestEngines;
  currentRequestEngines = [];
  for (const p of list) {
    try {
      (await p)?.free?.();
    } catch {}
  }
}
function engine(mode = "online") {
  const key = mode;
  if (engines[key]) return engines[key];
  engines[key] = runtime.SchemaEngine.new(
    { datamodels: datamodels.length ? datamodels : undefined },
    logCallback,
    mode === "offline" ? makeOfflineAdapterFactory() : makeAdapterFactory(),
  );
  currentRequestEngines.push(engines[key]);
  return engines[key];
}
function send(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

let printId = 1_000_000_000;
const pendingPrints = new Map();
function printToCli(content) {
  const id = printId++;
  return new Promise((resolve) => {
    pendingPrints.set(id, resolve);
    send({ jsonrpc: "2.0", id, method: "print", params: { content } });
  });
}

// The wasm engine's evaluateDataLoss/createMigration cannot open a shadow database themselves
// ("PostgreSQL shadow DB must be provided through an external factory"); they reuse the one an
// earlier devDiagnostic on the same instance opened. So prime a fresh instance with devDiagnostic.
async function primedEngine(p) {
  const e = await engine();
  if (p?.migrationsList) {
    try {
      await e.devDiagnostic({ migrationsList: p.migrationsList, filters: p.filters ?? defaultFilters });
    } catch (err) {
      log("WARN", `shim: devDiagnostic priming failed: ${err?.message ?? err}`);
    }
  }
  return e;
}

const defaultFilters = { externalTables: [], externalEnums: [] };
const withFilters = (p, key = "filters") => ({ ...p, [key]: p?.[key] ?? defaultFilters });

const methods = {
  async version() {
    return engineHash;
  },
  async getDatabaseVersion(p) {
    if (!connectionUrl() && p?.datasource?.tag !== "ConnectionString") return `schema-engine-wasm ${engineHash}`;
    return (await engine()).version(p ?? null);
  },
  async ensureConnectionValidity(p) {
    return (await engine()).ensureConnectionValidity(p ?? {});
  },
  async createDatabase(p) {
    const ds = p?.datasource;
    const url = ds?.tag === "ConnectionString" ? ds.url : connectionUrl();
    if (!url) throw new Error("createDatabase: no datasource URL");
    assertPostgres(url);
    return { databaseName: await createDatabase(url) };
  },
  async dropDatabase(p) {
    const url = typeof p === "string" ? p : connectionUrl();
    await dropDatabase(url);
    return {};
  },
  async diff(p) {
    const offlineTags = new Set(["empty", "schemaDatamodel"]);
    const offline = offlineTags.has(p?.from?.tag) && offlineTags.has(p?.to?.tag) && process.env.PRISMA_SHIM_DIFF_ONLINE !== "1";
    const result = await (await engine(offline ? "offline" : "online")).diff({ exitCode: null, ...withFilters(p) });
    // The native engine writes the diff through the `print` RPC; the CLI prints it to stdout.
    if (result?.stdout != null && result.stdout !== "") await printToCli(result.stdout.replace(/\n$/, ""));
    return { exitCode: result?.exitCode ?? 0, stdout: null };
  },
  async createMigration(p) {
    return (await primedEngine(p)).createMigration(withFilters(p));
  },
  async applyMigrations(p) {
    return (await engine()).applyMigrations(withFilters(p));
  },
  async devDiagnostic(p) {
    return (await engine()).devDiagnostic(withFilters(p));
  },
  async diagnoseMigrationHistory(p) {
    return (await engine()).diagnoseMigrationHistory(withFilters(p));
  },
  async evaluateDataLoss(p) {
    return (await primedEngine(p)).evaluateDataLoss(withFilters(p));
  },
  async markMigrationApplied(p) {
    return (await engine()).markMigrationApplied(p);
  },
  async markMigrationRolledBack(p) {
    return (await engine()).markMigrationRolledBack(p);
  },
  async reset(p) {
    await (await engine()).reset(withFilters(p ?? {}, "filter"));
    return {};
  },
  async schemaPush(p) {
    return (await engine()).schemaPush(withFilters(p));
  },
  async dbExecute(p) {
    await (await engine()).dbExecute(p);
    return {};
  },
  async introspect(p) {
    return (await engine()).introspect(p);
  },
  async introspectSql(p) {
    return (await engine()).introspectSql(p);
  },
  async debugPanic() {
    return (await engine()).debugPanic();
  },
};

function toRpcError(e) {
  // Errors from the wasm engine may carry the native engine's user-facing error shape.
  let data = e?.userFacing;
  if (!data && e && typeof e === "object") {
    const src = e.error_code || e.errorCode || e.code ? e : null;
    if (src) data = { error_code: src.error_code ?? src.errorCode ?? (typeof src.code === "string" && /^P\d{4}$/.test(src.code) ? src.code : undefined), message: src.message, meta: src.meta };
  }
  let message = data?.message ?? (e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e));
  if (!data) {
    // The wasm engine sometimes throws JSON strings of the user-facing error.
    try {
      const parsed = JSON.parse(message);
      if (parsed && typeof parsed === "object" && parsed.message) {
        data = { error_code: parsed.error_code ?? parsed.errorCode, message: parsed.message, meta: parsed.meta };
        message = parsed.message;
      }
    } catch {}
  }
  const isPanic = /RuntimeError|unreachable|panicked/i.test(message) && !data?.error_code;
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: { is_panic: isPanic, message, meta: data?.meta ?? null, error_code: data?.error_code ?? null, ...(isPanic ? { error: { message } } : {}) },
  };
}

let chain = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  if (!line.trim()) return;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
  }
  // Responses to our own `print` requests.
  if (msg.method === undefined && pendingPrints.has(msg.id)) {
    pendingPrints.get(msg.id)();
    pendingPrints.delete(msg.id);
    return;
  }
  const fn = methods[msg.method];
  // Requests are handled one at a time, in order (like the native engine).
  chain = chain.then(async () => {
    if (!fn) return send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
    try {
      for (const k of Object.keys(engines)) delete engines[k];
      await releaseEngines();
      const result = await fn(msg.params);
      send({ jsonrpc: "2.0", id: msg.id, result: result ?? {} });
    } catch (e) {
      log("ERROR", e?.message ?? String(e));
      send({ jsonrpc: "2.0", id: msg.id, error: toRpcError(e) });
    }
  });
});
rl.on("close", async () => {
  await chain.catch(() => {});
  // Wait for outstanding print acknowledgements is pointless once stdin is closed.
  const url = connectionUrl();
  for (const name of [...createdShadowDbs]) await dropShadowDb(url, name).catch(() => {});
  await releaseEngines();
  process.exit(0);
});
