// The Teams app package: template, environment, official-schema validation, icons and the zip.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppEnv,
  buildPackage,
  DEV_DEFAULTS,
  loadTemplate,
  newestLocalSchemaVersion,
  officialSchemaUrl,
  PackageError,
  readPackageVersion,
  renderManifest,
  resolveEnv,
  type ValidationResult,
  validateManifest,
} from "../manifest/build";
import { decodePng, encodePng, readPngInfo } from "../manifest/png";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

const TEST_RAW_ENV = {
  APP_ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
  BOT_ID: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  BOT_DOMAIN: "assure.example.org",
  APP_VERSION: "1.2.3",
};

function testEnv(): AppEnv {
  const r = resolveEnv(TEST_RAW_ENV);
  if (!r.ok) throw new Error(`test env invalid: ${JSON.stringify(r.errors)}`);
  return r.env;
}

const ALL_COMMANDS = [
  "help",
  "my audits",
  "my actions",
  "allocate",
  "escalate",
  "escalations",
  "moderate",
  "survey",
  "report",
  "supervision",
];

function fields(result: ValidationResult): string[] {
  return result.errors.map((e) => e.field);
}

function solidPng(size: number, rgba: [number, number, number, number]): Buffer {
  const data = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) data.set(rgba, i * 4);
  return encodePng({ width: size, height: size, data });
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "assure-manifest-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("environment", () => {
  it("names every missing variable without --dev", () => {
    const r = resolveEnv({});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field).sort()).toEqual(["APP_ID", "BOT_DOMAIN", "BOT_ID"]);
    expect(r.errors.every((e) => e.message.includes("is not set"))).toBe(true);
  });

  it("uses clearly fake values only with --dev, and refuses them without it", () => {
    const dev = resolveEnv({}, { dev: true });
    expect(dev.ok).toBe(true);
    if (!dev.ok) return;
    expect(dev.env.APP_ID).toBe(DEV_DEFAULTS.APP_ID);
    expect(dev.env.BOT_ID).toBe(DEV_DEFAULTS.BOT_ID);
    expect(dev.env.BOT_DOMAIN).toBe(DEV_DEFAULTS.BOT_DOMAIN);
    expect(dev.warnings).toHaveLength(3);

    const prod = resolveEnv({ ...DEV_DEFAULTS });
    expect(prod.ok).toBe(false);
    if (prod.ok) return;
    expect(prod.errors.map((e) => e.field).sort()).toEqual(["APP_ID", "BOT_DOMAIN", "BOT_ID"]);
  });

  it("validates GUIDs, domain and version, naming the variable", () => {
    const r = resolveEnv({
      APP_ID: "not-a-guid",
      BOT_ID: TEST_RAW_ENV.BOT_ID,
      BOT_DOMAIN: "https://assure.example.org/bot",
      APP_VERSION: "1.2",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field).sort()).toEqual(["APP_ID", "APP_VERSION", "BOT_DOMAIN"]);
    expect(r.errors.find((e) => e.field === "APP_ID")?.message).toMatch(/GUID/);
  });

  it("takes the bot id from MICROSOFT_APP_ID or MicrosoftAppId, refusing conflicts", () => {
    const { BOT_ID, ...rest } = TEST_RAW_ENV;
    const a = resolveEnv({ ...rest, MicrosoftAppId: BOT_ID });
    expect(a.ok && a.env.BOT_ID).toBe(BOT_ID);
    const b = resolveEnv({ ...rest, MICROSOFT_APP_ID: BOT_ID });
    expect(b.ok && b.env.BOT_ID).toBe(BOT_ID);
    const c = resolveEnv({ ...TEST_RAW_ENV, MicrosoftAppId: "11111111-2222-4333-8444-555555555555" });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.errors[0]?.field).toBe("BOT_ID");
  });

  it("defaults the version to package.json and the URLs to the bot domain", () => {
    const { APP_VERSION: _unused, ...rest } = TEST_RAW_ENV;
    const r = resolveEnv(rest);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.APP_VERSION).toBe(readPackageVersion());
    expect(r.env.DEVELOPER_NAME).toBe("Assure project");
    expect(r.env.PRIVACY_URL).toBe("https://assure.example.org/privacy");
    expect(r.env.TERMS_URL).toBe("https://assure.example.org/terms");
    expect(r.env.WEBSITE_URL).toBe("https://assure.example.org/");
  });
});

describe("template", () => {
  it("uses the newest released schema shipped in @microsoft/app-manifest, by its official URL", () => {
    const t = loadTemplate() as Record<string, unknown>;
    expect(t.manifestVersion).toBe(newestLocalSchemaVersion());
    expect(t.$schema).toBe(officialSchemaUrl(String(t.manifestVersion)));
  });

  it("lists every bot command in the personal scope", () => {
    const m = renderManifest(testEnv());
    const bot = (m.bots as { commandLists: { scopes: string[]; commands: { title: string }[] }[] }[])[0];
    const personal = bot?.commandLists.find((l) => l.scopes.includes("personal"));
    expect(personal?.commands.map((c) => c.title)).toEqual(ALL_COMMANDS);
  });

  it("asks for reading the bot's own chats, which the sender needs to check an in-doubt send after a crash", () => {
    const m = renderManifest(testEnv()) as { authorization?: { permissions?: { resourceSpecific?: { name: string; type: string }[] } } };
    expect(m.authorization?.permissions?.resourceSpecific).toContainEqual({ name: "ChatMessage.Read.Chat", type: "Application" });
  });
});

describe("package", () => {
  it("builds a zip with a valid manifest and the two icons at its root", async () => {
    const out = join(tmp, "ok", "assure-teams-app.zip");
    const result = await buildPackage(testEnv(), out);
    expect(result.path).toBe(out);
    expect(readFileSync(out).length).toBe(result.bytes);

    const zip = await JSZip.loadAsync(readFileSync(out));
    const names = Object.keys(zip.files).sort();
    expect(names).toEqual(["color.png", "manifest.json", "outline.png"]);

    const manifest = JSON.parse(await zip.file("manifest.json")!.async("string")) as Record<string, unknown>;
    const color = await zip.file("color.png")!.async("uint8array");
    const outline = await zip.file("outline.png")!.async("uint8array");
    const check = validateManifest(manifest, { files: { "color.png": color, "outline.png": outline } });
    expect(check.errors).toEqual([]);
    expect(check.ok).toBe(true);

    expect(manifest.manifestVersion).toBe("1.30");
    expect(manifest.id).toBe(TEST_RAW_ENV.APP_ID);
    expect(manifest.version).toBe("1.2.3");
    expect(manifest.validDomains).toEqual(["assure.example.org"]);
    const bot = (manifest.bots as Record<string, unknown>[])[0]!;
    expect(bot.botId).toBe(TEST_RAW_ENV.BOT_ID);
    expect(bot.scopes).toEqual(["personal", "team", "groupChat"]);
    expect(bot.supportsFiles).toBe(false);
    expect(manifest.webApplicationInfo).toEqual({
      id: TEST_RAW_ENV.BOT_ID,
      resource: `api://assure.example.org/${TEST_RAW_ENV.BOT_ID}`,
    });
    // The Home tab (personal) and the dashboard a team pins in a channel, on the service's host.
    expect(manifest.staticTabs).toContainEqual({
      entityId: "home",
      name: "Home",
      contentUrl: "https://assure.example.org/tab",
      scopes: ["personal"],
    });
    expect((manifest.configurableTabs as Record<string, unknown>[])[0]).toMatchObject({
      configurationUrl: "https://assure.example.org/tab/config",
      scopes: ["team", "groupChat"],
    });
    expect(JSON.stringify(manifest)).not.toContain("${{");

    expect(readPngInfo(color)).toMatchObject({ width: 192, height: 192 });
    expect(readPngInfo(outline)).toMatchObject({ width: 32, height: 32 });
    const px = decodePng(outline).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] !== 0) expect([px[i], px[i + 1], px[i + 2]]).toEqual([255, 255, 255]);
    }
  });

  it("is byte-for-byte reproducible", async () => {
    const a = await buildPackage(testEnv(), join(tmp, "a.zip"));
    const b = await buildPackage(testEnv(), join(tmp, "b.zip"));
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
  });

  it("refuses an invalid manifest, naming the field, and writes nothing", async () => {
    const out = join(tmp, "refused.zip");
    const template = loadTemplate() as Record<string, unknown>;
    const bad = { ...template, description: { short: "x".repeat(81), full: "A full description." } };
    const err = await buildPackage(testEnv(), out, { template: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackageError);
    expect((err as PackageError).errors.map((e) => e.field)).toContain("/description/short");
    expect((err as PackageError).message).toContain("/description/short");
    expect(existsSync(out)).toBe(false);
  });
});

describe("validateManifest refuses", () => {
  const valid = (): Record<string, unknown> => structuredClone(renderManifest(testEnv()));
  const bot0 = (m: Record<string, unknown>): Record<string, unknown> => (m.bots as Record<string, unknown>[])[0]!;

  it("accepts the rendered template", () => {
    expect(validateManifest(valid())).toEqual({ ok: true, errors: [] });
  });

  it("an app id that is not a GUID", () => {
    const m = valid();
    m.id = "assure-app";
    const r = validateManifest(m);
    expect(r.ok).toBe(false);
    expect(fields(r)).toContain("/id");
    expect(r.errors.find((e) => e.field === "/id" && e.message.includes("GUID"))).toBeDefined();
  });

  it("a bot id that is not a GUID", () => {
    const m = valid();
    bot0(m).botId = "12345";
    expect(fields(validateManifest(m))).toContain("/bots/0/botId");
  });

  it("a short description over 80 characters", () => {
    const m = valid();
    (m.description as Record<string, unknown>).short = "y".repeat(81);
    const r = validateManifest(m);
    expect(r.ok).toBe(false);
    expect(r.errors).toContainEqual({ field: "/description/short", message: "is 81 characters; Teams allows at most 80" });
  });

  it("a bot without the team scope", () => {
    const m = valid();
    bot0(m).scopes = ["personal", "groupChat"];
    const r = validateManifest(m);
    expect(r.ok).toBe(false);
    const e = r.errors.filter((x) => x.field === "/bots/0/scopes");
    expect(e.some((x) => x.message.includes('"team"'))).toBe(true);
    // the team/groupChat command list now names a scope the bot lacks
    expect(fields(r)).toContain("/bots/0/commandLists/1/scopes");
  });

  it("a colour icon of the wrong size", () => {
    const r = validateManifest(valid(), { files: { "color.png": solidPng(96, [27, 110, 126, 255]) } });
    expect(r.ok).toBe(false);
    expect(r.errors).toContainEqual({
      field: "/icons/color",
      message: "color.png is 96x96 pixels; it must be 192x192",
    });
  });

  it("an outline icon that is not white on transparent", () => {
    const data = decodePng(readFileSync(join(ROOT, "manifest", "outline.png"))).data.slice();
    data.set([255, 0, 0, 255], (5 * 32 + 7) * 4); // one red pixel at x=7, y=5
    const r = validateManifest(valid(), { files: { "outline.png": encodePng({ width: 32, height: 32, data }) } });
    expect(r.ok).toBe(false);
    const e = r.errors.find((x) => x.field === "/icons/outline");
    expect(e?.message).toContain("x=7, y=5");
  });

  it("an outline icon with no transparency", () => {
    const r = validateManifest(valid(), { files: { "outline.png": solidPng(32, [255, 255, 255, 255]) } });
    expect(fields(r)).toEqual(["/icons/outline"]);
  });

  it("a missing icon file, or a file that is not a PNG", () => {
    const m = valid();
    (m.icons as Record<string, unknown>).color = "nope.png";
    expect(validateManifest(m).errors).toContainEqual({ field: "/icons/color", message: "file nope.png not found" });
    const r = validateManifest(valid(), { files: { "color.png": Buffer.from("GIF89a") } });
    expect(r.errors[0]?.field).toBe("/icons/color");
    expect(r.errors[0]?.message).toMatch(/not a readable PNG/);
  });

  it("a version that is not MAJOR.MINOR.PATCH", () => {
    const m = valid();
    m.version = "1.0";
    expect(fields(validateManifest(m))).toContain("/version");
  });

  it("properties the official schema does not allow, and missing required ones", () => {
    const m = valid();
    m.colour = "#ffffff";
    delete m.accentColor;
    const r = validateManifest(m);
    expect(r.errors).toContainEqual({ field: "/colour", message: "is not a property the schema allows" });
    expect(r.errors).toContainEqual({ field: "/accentColor", message: "is required (schema)" });
  });

  it("a bot scope the schema does not know", () => {
    const m = valid();
    bot0(m).scopes = ["personal", "team", "groupChat", "meeting"];
    expect(fields(validateManifest(m))).toContain("/bots/0/scopes/3");
  });

  it("a manifestVersion that does not match $schema", () => {
    const m = valid();
    m.manifestVersion = "1.29";
    const r = validateManifest(m);
    expect(fields(r)).toContain("/$schema");
  });

  it("an unfilled placeholder or an http privacy URL", () => {
    const m = valid();
    m.validDomains = ["${{BOT_DOMAIN}}"];
    (m.developer as Record<string, unknown>).privacyUrl = "http://assure.example.org/privacy";
    const r = validateManifest(m);
    expect(fields(r)).toContain("/validDomains/0");
    expect(fields(r)).toContain("/developer/privacyUrl");
  });
});

describe("scripts/package.ts", () => {
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const run = (env: Record<string, string>, args: string[]) =>
    spawnSync(process.execPath, [tsx, join(ROOT, "scripts", "package.ts"), ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 60_000,
    });

  it("prints the zip path and size", () => {
    const out = join(tmp, "cli", "app.zip");
    const r = run(TEST_RAW_ENV, ["--out", out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("app.zip");
    expect(r.stdout).toMatch(new RegExp(`${readFileSync(out).length} bytes`));
  }, 60_000);

  it("exits non-zero naming the bad variable", () => {
    const out = join(tmp, "cli", "bad.zip");
    const r = run({ ...TEST_RAW_ENV, APP_ID: "not-a-guid" }, ["--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("APP_ID");
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
