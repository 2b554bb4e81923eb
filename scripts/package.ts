// Builds the Teams app package: build/assure-teams-app.zip (manifest.json, color.png, outline.png).
//
//   npx tsx scripts/package.ts [--dev] [--out path/to/app.zip]
//
// Variables: APP_ID, BOT_ID (or MICROSOFT_APP_ID / MicrosoftAppId), BOT_DOMAIN, and optionally
// APP_VERSION (default package.json version), DEVELOPER_NAME, WEBSITE_URL, PRIVACY_URL, TERMS_URL.
// --dev fills missing ids and domain with clearly fake values, for local sideloading only.
// To read a .env file: npx tsx --env-file=.env scripts/package.ts
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { buildPackage, DEFAULT_OUT_PATH, formatErrors, newestLocalSchemaVersion, PackageError, resolveEnv } from "../manifest/build";

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        dev: { type: "boolean", default: false },
        out: { type: "string", default: DEFAULT_OUT_PATH },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (args.values.help) {
    console.log("Usage: npx tsx scripts/package.ts [--dev] [--out build/assure-teams-app.zip]");
    return 0;
  }

  const resolved = resolveEnv(process.env, { dev: args.values.dev });
  for (const w of resolved.warnings) console.warn(`warning: ${w}`);
  if (!resolved.ok) {
    console.error(`Cannot build the Teams app package; the environment is invalid:\n${formatErrors(resolved.errors)}`);
    return 1;
  }

  try {
    const result = await buildPackage(resolved.env, args.values.out);
    const shown = relative(process.cwd(), result.path) || result.path;
    console.log(`${shown} ${result.bytes} bytes (manifest v${String(result.manifest.manifestVersion)}, app ${resolved.env.APP_VERSION})`);
    const newest = newestLocalSchemaVersion();
    if (newest && newest !== result.manifest.manifestVersion) {
      console.warn(`note: @microsoft/app-manifest has schema v${newest}; the template uses v${String(result.manifest.manifestVersion)}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof PackageError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main();
