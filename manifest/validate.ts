// Validating a manifest: the official schema, plus what it cannot express (icons, lengths, ids).
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { decodePng, readPngInfo } from "./png";
import { MANIFEST_DIR } from "./paths";
import { type FieldError, type ValidationResult } from "./errors";
import { GUID_RE, SEMVER_RE } from "./env";
import { officialSchemaUrl, schemaErrorToField, schemaValidator } from "./schema";
import { escapePointer } from "./template";

export interface ValidateOptions {
  /** Where icon paths are resolved from; default the manifest/ folder. */
  baseDir?: string;
  /** Icon bytes by manifest path, taking precedence over files in baseDir (used by tests). */
  files?: Record<string, Uint8Array>;
}

const ICON_SIZES = { color: 192, outline: 32, color32x32: 32 } as const;
const REQUIRED_BOT_SCOPES = ["personal", "team", "groupChat"] as const;

export function loadAsset(relPath: string, options: ValidateOptions): Uint8Array | undefined {
  const override = options.files?.[relPath];
  if (override) return override;
  const path = join(options.baseDir ?? MANIFEST_DIR, relPath);
  return existsSync(path) ? readFileSync(path) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Official schema validation plus the checks the schema cannot express. */
export function validateManifest(manifest: unknown, options: ValidateOptions = {}): ValidationResult {
  const errors: FieldError[] = [];
  const add = (field: string, message: string): void => {
    if (!errors.some((e) => e.field === field && e.message === message)) errors.push({ field, message });
  };
  if (!isRecord(manifest)) return { ok: false, errors: [{ field: "/", message: "must be a JSON object" }] };

  // 1. The official schema for the declared manifestVersion.
  const manifestVersion = manifest.manifestVersion;
  if (typeof manifestVersion !== "string") {
    add("/manifestVersion", 'is required and must be a string such as "1.30"');
  } else {
    if (manifest.$schema !== officialSchemaUrl(manifestVersion)) {
      add("/$schema", `must be ${officialSchemaUrl(manifestVersion)} to match manifestVersion ${manifestVersion}`);
    }
    const validate = schemaValidator(manifestVersion);
    if (!validate) {
      add("/manifestVersion", `no schema for v${manifestVersion} in @microsoft/app-manifest`);
    } else if (!validate(manifest)) {
      for (const e of validate.errors ?? []) {
        const f = schemaErrorToField(e);
        add(f.field, f.message);
      }
    }
  }

  // 2. Checks the schema cannot express (or expresses with unhelpful messages).
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

  const checkGuid = (field: string, v: unknown): void => {
    if (v === undefined) return;
    if (typeof v !== "string" || !GUID_RE.test(v)) add(field, `must be a GUID, got ${JSON.stringify(v)}`);
  };
  checkGuid("/id", manifest.id);
  const version = str(manifest.version);
  if (version === undefined || !SEMVER_RE.test(version)) {
    add("/version", `must be MAJOR.MINOR.PATCH (semver), got ${JSON.stringify(manifest.version)}`);
  }

  const maxLen = (field: string, v: unknown, max: number): void => {
    const s = str(v);
    if (s !== undefined && [...s].length > max) add(field, `is ${[...s].length} characters; Teams allows at most ${max}`);
  };
  const name = isRecord(manifest.name) ? manifest.name : {};
  const description = isRecord(manifest.description) ? manifest.description : {};
  maxLen("/name/short", name.short, 30);
  maxLen("/name/full", name.full, 100);
  maxLen("/description/short", description.short, 80);
  maxLen("/description/full", description.full, 4000);
  if (!str(description.short)?.trim()) add("/description/short", "must not be empty");
  if (!str(description.full)?.trim()) add("/description/full", "must not be empty");

  const developer = isRecord(manifest.developer) ? manifest.developer : {};
  for (const key of ["websiteUrl", "privacyUrl", "termsOfUseUrl"]) {
    const v = str(developer[key]);
    if (v === undefined || !/^https:\/\//i.test(v) || !URL.canParse(v)) {
      add(`/developer/${key}`, `must be an https:// URL, got ${JSON.stringify(developer[key])}`);
    }
  }

  // Assure is a bot: exactly one, in all three scopes, commands only in scopes it has.
  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  if (bots.length !== 1) add("/bots", `must declare exactly one bot, found ${bots.length}`);
  bots.forEach((bot: unknown, i) => {
    const at = `/bots/${i}`;
    if (!isRecord(bot)) return;
    checkGuid(`${at}/botId`, bot.botId);
    if (bot.botId === undefined) add(`${at}/botId`, "is required");
    const scopes = Array.isArray(bot.scopes) ? bot.scopes.filter((s): s is string => typeof s === "string") : [];
    for (const scope of REQUIRED_BOT_SCOPES) {
      if (!scopes.includes(scope)) add(`${at}/scopes`, `is missing the "${scope}" scope (Assure needs ${REQUIRED_BOT_SCOPES.join(", ")})`);
    }
    if (bot.supportsFiles !== false) add(`${at}/supportsFiles`, "must be false (Assure does not accept files)");
    const seenScopes = new Set<string>();
    const lists = Array.isArray(bot.commandLists) ? bot.commandLists : [];
    lists.forEach((list: unknown, j) => {
      if (!isRecord(list)) return;
      const listScopes = Array.isArray(list.scopes) ? list.scopes.filter((s): s is string => typeof s === "string") : [];
      for (const s of listScopes) {
        if (!scopes.includes(s)) add(`${at}/commandLists/${j}/scopes`, `"${s}" is not one of the bot's scopes`);
        if (seenScopes.has(s)) add(`${at}/commandLists/${j}/scopes`, `"${s}" already has a command list`);
        seenScopes.add(s);
      }
      const titles = new Set<string>();
      const commands = Array.isArray(list.commands) ? list.commands : [];
      commands.forEach((cmd: unknown, k) => {
        const title = isRecord(cmd) ? str(cmd.title)?.trim().toLowerCase() : undefined;
        if (!title) add(`${at}/commandLists/${j}/commands/${k}/title`, "must not be empty");
        else if (titles.has(title)) add(`${at}/commandLists/${j}/commands/${k}/title`, `"${title}" appears twice`);
        else titles.add(title);
      });
    });
  });

  const validDomains = Array.isArray(manifest.validDomains) ? manifest.validDomains : [];
  validDomains.forEach((d: unknown, i) => {
    if (typeof d !== "string" || !/^(\*\.)?[a-z0-9.-]+$/i.test(d)) {
      add(`/validDomains/${i}`, `must be a host name without scheme, path or port, got ${JSON.stringify(d)}`);
    }
  });

  if (isRecord(manifest.webApplicationInfo)) {
    checkGuid("/webApplicationInfo/id", manifest.webApplicationInfo.id);
    const resource = manifest.webApplicationInfo.resource;
    if (resource !== undefined && !(typeof resource === "string" && resource.startsWith("api://"))) {
      add("/webApplicationInfo/resource", `must be an api:// application ID URI, got ${JSON.stringify(resource)}`);
    }
  }

  // Tabs: pages on one of the app's valid domains, over https (Teams frames nothing else).
  const tabUrls = [
    ...(Array.isArray(manifest.staticTabs) ? manifest.staticTabs : []).map((t, i) => [
      `/staticTabs/${i}/contentUrl`,
      isRecord(t) ? t.contentUrl : undefined,
    ]),
    ...(Array.isArray(manifest.configurableTabs) ? manifest.configurableTabs : []).map((t, i) => [
      `/configurableTabs/${i}/configurationUrl`,
      isRecord(t) ? t.configurationUrl : undefined,
    ]),
  ] as [string, unknown][];
  for (const [field, url] of tabUrls) {
    if (url === undefined) continue;
    const host = typeof url === "string" && URL.canParse(url) && url.startsWith("https://") ? new URL(url).hostname : undefined;
    if (!host || !validDomains.includes(host)) add(field, `must be an https:// URL on one of validDomains, got ${JSON.stringify(url)}`);
  }

  // Nothing left unfilled.
  const findPlaceholders = (node: unknown, path: string): void => {
    if (typeof node === "string") {
      if (node.includes("${{")) add(path || "/", `has an unfilled placeholder: ${JSON.stringify(node)}`);
    } else if (Array.isArray(node)) node.forEach((v, i) => findPlaceholders(v, `${path}/${i}`));
    else if (isRecord(node)) for (const [k, v] of Object.entries(node)) findPlaceholders(v, `${path}/${escapePointer(k)}`);
  };
  findPlaceholders(manifest, "");

  // Icons: present, real PNGs at the zip root, the right pixel size; outline white on transparent.
  const icons = isRecord(manifest.icons) ? manifest.icons : {};
  for (const [key, size] of Object.entries(ICON_SIZES)) {
    const field = `/icons/${key}`;
    const rel = icons[key];
    if (rel === undefined) {
      if (key !== "color32x32") add(field, "is required");
      continue;
    }
    if (typeof rel !== "string" || rel !== basename(rel) || rel.startsWith(".")) {
      add(field, `must be a file name at the package root, got ${JSON.stringify(rel)}`);
      continue;
    }
    const bytes = loadAsset(rel, options);
    if (!bytes) {
      add(field, `file ${rel} not found`);
      continue;
    }
    try {
      const info = readPngInfo(bytes);
      if (info.width !== size || info.height !== size) {
        add(field, `${rel} is ${info.width}x${info.height} pixels; it must be ${size}x${size}`);
        continue;
      }
      if (key === "outline") {
        const img = decodePng(bytes);
        let bad = 0;
        let first: [number, number] | undefined;
        for (let p = 0; p < img.width * img.height; p++) {
          const [r, g, b, a] = [img.data[p * 4], img.data[p * 4 + 1], img.data[p * 4 + 2], img.data[p * 4 + 3]];
          if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) {
            bad++;
            first ??= [p % img.width, Math.floor(p / img.width)];
          }
        }
        if (first) {
          add(field, `${rel} must be white on transparent only; ${bad} pixel(s) are coloured, first at x=${first[0]}, y=${first[1]}`);
        }
        if (!img.data.some((_, i) => i % 4 === 3 && img.data[i] !== 255)) {
          add(field, `${rel} has no transparent pixels; the outline icon needs a transparent background`);
        }
      }
    } catch (e) {
      add(field, `${rel} is not a readable PNG: ${(e as Error).message}`);
    }
  }

  return { ok: errors.length === 0, errors };
}
